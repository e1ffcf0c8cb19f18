export {
  type CreateBenchmarkPackageSettings,
  type CreatedBenchmarkPackage,
  createBenchmarkPackage,
} from './create-benchmark-package.js';
export {
  CreatePluginError,
  type IdentifierForms,
  identifierForms,
  renameTemplate,
} from './identifier-forms.js';
export { copyTemplate, templateFiles } from './template.js';
