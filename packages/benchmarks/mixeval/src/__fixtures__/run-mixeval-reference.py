# Produces mixeval-reference-scores.json: runs MixEval's own scoring code (compute_metric of Psycoy/MixEval at
# 7c52b41929d461df7733573528bdfb08774b0c53, its model-parser retry loop and aggregation unchanged) on the stored
# gemma-1.1-7b-it responses of /work/shared/datasets/mixeval/model_responses, with a scripted parser judge in
# place of the OpenAI client and MixEval's heavy imports (torch, openai, ...) stubbed out. No MixEval code is
# in this repository: check it out and pass its root (the folder holding mix_eval/) as MIXEVAL_ROOT.
#   git clone https://github.com/Psycoy/MixEval && git -C MixEval checkout 7c52b419
#   MIXEVAL_ROOT=$PWD/MixEval python3 run-mixeval-reference.py 2>/dev/null | sed -n '/^{/,$p' > mixeval-reference-scores.json
# Needs python3 and numpy (Debian: python3-numpy). mixeval-scorer.test.ts scripts the same judge in TypeScript.
import sys, os, json, shutil, importlib.abc, importlib.machinery, types
from unittest import mock

class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    STUB = {'torch','transformers','openai','dotenv','httpx','tiktoken','nltk','prettytable','tqdm','anthropic','google','vertexai','zhipuai','dashscope','mistralai','cohere','reka','groq','accelerate','fastchat','vllm','sentencepiece','einops','qianfan','yi','together','boto3','botocore','requests'}
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in self.STUB:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        m = mock.MagicMock(name=spec.name); m.__path__ = []; m.__spec__ = spec; m.__name__ = spec.name
        return m
    def exec_module(self, module): pass
sys.meta_path.insert(0, StubFinder())
sys.path.insert(0, os.environ['MIXEVAL_ROOT'])

import mix_eval.compute_metrics as cm
import mix_eval.utils.metric_utils as mu
cm.tqdm = lambda x, **k: x
cm.print_table = lambda d: None

def letters(n): return [chr(65+i) for i in range(n)]
SCORES = ['0.0','0.1','0.2','0.3','0.4','0.5','0.6','0.7','0.8','0.9','1.0']
def ff_judgment(n, attempt):
    if n % 13 == 0 and attempt == 0: return 'The answer is close; no score given.'
    if n % 29 == 0 and attempt < 2: return 'The correctness score: [[1.5]].'
    s = SCORES[(n * 7) % 11]
    if n % 17 == 0: return f'Reasoning. The correctness score: [{s}].'
    return f'Reasoning [[x]]. The correctness score: [[{s}]].'
def mc_judgment(n, attempt, k):
    if n % 11 == 0 and attempt == 0: return 'The option chosen by the model: [[?]]'
    if n % 23 == 0 and attempt < 3: return 'none of them'
    x = letters(k)[(n * 3) % k]
    if n % 19 == 0: return f'The option chosen by the model: [{x}].'
    return f'The option chosen by the model: [[{x}]].'

attempts = {}
def annotate(kind):
    def annotate_parallel(self, tasks):
        out = []
        for t in tasks:
            key = (kind, t['id']); a = attempts.get(key, 0); attempts[key] = a + 1
            n = int(t['id'])
            t['judge_response'] = ff_judgment(n, a) if kind == 'ff' else mc_judgment(n, a, len(t['options']))
            out.append(t)
        return out
    return annotate_parallel
for cls, kind in ((mu.ChatGPTJudgeCloseendFreeform, 'ff'), (mu.ChatGPTJudgeCloseendMultichoice, 'mc')):
    cls.__init__ = lambda self, args: None
    cls.annotate_parallel = annotate(kind)

work = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'mixeval-reference-work')
shutil.rmtree(work, ignore_errors=True)
src = os.path.join(os.environ.get('EVALCHEMY_DATASETS_DIR', '../../../../../../shared/datasets'), 'mixeval/model_responses')
results = {}
for bench in ('mixeval', 'mixeval_hard'):
    attempts.clear()
    d = os.path.join(work, 'gemma_11_7b_instruct', bench, '2024-06-01'); os.makedirs(d)
    for f in os.listdir(os.path.join(src, 'gemma_11_7b_instruct', bench, '2024-06-01')):
        # In data order, as Evalchemy writes its response files (MixEval's own runs list them in the order the
        # answers came back, which changes the float sums in their last bits).
        rows = [json.loads(line) for line in open(os.path.join(src, 'gemma_11_7b_instruct', bench, '2024-06-01', f))]
        rows.sort(key=lambda row: int(row['id']))
        with open(os.path.join(d, f), 'w') as out:
            for row in rows: out.write(json.dumps(row) + '\n')
    args = cm.argparse.Namespace(benchmark=bench, version='2024-06-01', judge_model_id=None, batch_size_judge=1,
        model_response_dir=work, multichoice_judge='gpt-3.5-turbo-0125', freeform_judge='gpt-3.5-turbo-0125',
        models_to_eval=['gemma_11_7b_instruct'], free_form_parser='model', multi_choice_parser='model',
        api_base_url=None, api_parallel_num=1, extract_base_model_response=False,
        compute_score_from_judged_file=False, verbose=False)
    cm.compute_metric(args)
    score = json.load(open(os.path.join(d, 'score.json')))
    ff = cm.compute_metric_closeended_freeform_modelparse_from_judgefile(args)['gemma_11_7b_instruct']
    mc = cm.compute_metric_closeended_multichoice_modelparse_from_judgefile(args)['gemma_11_7b_instruct']
    results[bench] = {'score': score, 'free_form_overall': ff['overall'], 'multiple_choice_overall': mc['overall'],
                      'judge_calls': sum(attempts.values())}
print(json.dumps(results, indent=1, sort_keys=True))
