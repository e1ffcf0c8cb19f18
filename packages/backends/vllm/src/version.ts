/** Version of @evalchemy/backend-vllm; kept equal to package.json's. */
export const VERSION = '0.1.0';
