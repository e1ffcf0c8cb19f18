"""Runs WildBench's and Evalchemy's own scoring code on the synthetic fixtures and prints what they produce.

Not reference code: it loads the reference sources from git checkouts at run time and executes them unchanged,
with stand-ins for the packages they import but never call here (openai, datasets, tqdm, ...). Output:
reference-run.json (the judge prompts both send and the metrics they compute on scripted judge answers).

    python3 reference-run.py WILDBENCH_GIT_DIR EVALCHEMY_GIT_DIR > reference-run.json

WILDBENCH_GIT_DIR: allenai/WildBench at d6b8dcaf377d173d031980f97c16e1a82618c03d; EVALCHEMY_GIT_DIR:
mlfoundations/evalchemy at 6ed674159b37f740f2353a86f596f49f6ac13c19 (the commits of the checked numbers).
"""

import ast
import json
import os
import random
import subprocess
import sys
import tempfile
import types

WILDBENCH, EVALCHEMY = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
# The executed sources print progress; only the result goes to stdout.
RESULT_OUT, sys.stdout = sys.stdout, sys.stderr


def git_show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, text=True, check=True).stdout


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


bench = read_jsonl(os.path.join(HERE, "wildbench/v2/test.jsonl"))
references = read_jsonl(os.path.join(HERE, "wildbench/model-outputs/gpt-4-turbo-2024-04-09/train.jsonl"))
script = json.load(open(os.path.join(HERE, "scripted-run.json")))


# Stand-ins for imports the executed code does not use on this path.
def stub(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules[name] = module


class JsonLines:
    def __init__(self, path, mode):
        self.path, self.mode = path, mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(read_jsonl(self.path))


stub("openai", OpenAI=None, api_key=None)
stub("tiktoken")
stub("tqdm", tqdm=lambda iterable, **kwargs: iterable)
stub("tabulate", tabulate=lambda *args, **kwargs: "")
stub("jsonlines", open=JsonLines)
stub("datasets", load_dataset=lambda *args, **kwargs: bench, get_dataset_config_names=None)
stub("unified_utils", retry_handler=None, openai_chat_request=None, anthropic_chat_request=None)

eval_module = types.ModuleType("wildbench_eval")
exec(compile(git_show(WILDBENCH, "src/eval.py"), "src/eval.py", "exec"), eval_module.__dict__)


def function_from(source, name, filename):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            namespace = {"json": json, "jsonlines": sys.modules["jsonlines"], "Dict": dict, "List": list, "Any": object}
            exec(compile(ast.Module(body=[node], type_ignores=[]), filename, "exec"), namespace)
            return namespace[name]
    raise KeyError(name)


clear_output = function_from(git_show(EVALCHEMY, "eval/chat_benchmarks/WildBench/src/unified_utils.py"), "clear_output", "unified_utils.py")
instruct = git_show(EVALCHEMY, "eval/chat_benchmarks/WildBench/eval_instruct.py")
process_evaluator_output = function_from(instruct, "process_evaluator_output", "eval_instruct.py")
format_eval_file = function_from(instruct, "_format_eval_file", "eval_instruct.py")

work = tempfile.mkdtemp()
templates = {}
for mode in ["score", "pairwise"]:
    templates[mode] = os.path.join(work, f"eval_template.{mode}.v2.md")
    with open(templates[mode], "w") as f:
        f.write(git_show(WILDBENCH, f"evaluation/eval_template.{mode}.v2.md"))


class Logger:
    def warning(self, message):
        print(message, file=sys.stderr)


def args_for(mode):
    return types.SimpleNamespace(
        mode=mode, eval_template=templates[mode], start_idx=0, end_idx=-1, max_words_to_eval=1000,
        model="gpt-4-1106-preview", temperature=0.0, max_tokens=4096,
    )


targets = [
    {"session_id": row["session_id"], "output": [clear_output(script["answers"][row["session_id"]], "test-model")], "generator": "test-model"}
    for row in bench
]
output = {"score": {}, "pairwise": {}}

# Score mode, Evalchemy's path: compose_eval_item -> placeholder_generation -> batch_eval_generate -> judge ->
# _format_eval_file -> process_evaluator_output.
histories, last_queries, checklists = [], [], []
for b, t in zip(bench, targets):
    eval_module.compose_eval_item(b, t, None, histories, last_queries, checklists)
args = args_for("score")
results = eval_module.placeholder_generation(args, targets, [None] * len(targets), histories, last_queries, checklists)
lines = eval_module.batch_eval_generate(results, args)
output["score"]["requests"] = {line["custom_id"].split("||")[0]: line["body"] for line in lines}
submit = os.path.join(work, "batch-submit.jsonl")
answered = os.path.join(work, "results.jsonl")
with open(answered, "w") as f:
    for line in lines:
        sid = line["custom_id"].split("||")[0]
        f.write(json.dumps({**line, "response": {"choices": [{"message": {"content": script["judge"][sid]["score"]}}]}}) + "\n")
self = types.SimpleNamespace(
    logger=Logger(),
    config=types.SimpleNamespace(task_weights={
        "Creative Tasks": 0.5, "Planning & Reasoning": 1.25, "Math & Data Analysis": 1.0,
        "Information/Advice seeking": 0.75, "Coding & Debugging": 1.25,
    }),
)
eval_result = json.load(open(format_eval_file(self, answered, submit)))
task_group_mapping = {
    "Information seeking": "Information/Advice seeking", "Creative Writing": "Creative Tasks",
    "Coding & Debugging": "Coding & Debugging", "Reasoning": "Planning & Reasoning", "Editing": "Creative Tasks",
    "Math": "Math & Data Analysis", "Planning": "Planning & Reasoning", "Brainstorming": "Creative Tasks",
    "Role playing": "Creative Tasks", "Advice seeking": "Information/Advice seeking",
    "Data Analysis": "Math & Data Analysis", "Others": "Creative Tasks",
}  # eval_instruct.py's self.task_group_mapping
task_mapping = {item["id"]: list(set(task_group_mapping[tag] for tag in [item["primary_tag"]] + item["secondary_tags"])) for item in bench}
output["score"]["metrics"] = process_evaluator_output(self, eval_result, task_mapping)

# Reward mode, WildBench's own path: random.seed(42) -> placeholder_generation -> batch_eval_generate -> judge ->
# batch_results_format.py -> leaderboard/data_dir/_create_tables.py pairwise-gpt4t K.
random.seed(42)
histories, last_queries, checklists = [], [], []
for b, t, r in zip(bench, targets, references):
    eval_module.compose_eval_item(b, t, r, histories, last_queries, checklists)
args = args_for("pairwise")
results = eval_module.placeholder_generation(args, targets, list(references), histories, last_queries, checklists)
lines = eval_module.batch_eval_generate(results, args)
output["pairwise"]["requests"] = {line["custom_id"].split("||")[0]: line["body"] for line in lines}
output["pairwise"]["assignment"] = {item["session_id"]: item["assignment"] for item in results}
folder = os.path.join(work, "eval_results/v2.0522/pairwise.v2/eval=gpt-4-turbo-2024-04-09/ref=gpt-4-turbo-2024-04-09")
os.makedirs(folder)
os.makedirs(os.path.join(work, "leaderboard/data_dir"))
submit = os.path.join(folder, "test-model.batch-submit.jsonl")
answered = os.path.join(folder, "test-model.batch_results.jsonl")
verdicts = {"model++": ("A++", "B++"), "model+": ("A+", "B+"), "tie": ("A=B", "A=B"), "reference+": ("B+", "A+"), "reference++": ("B++", "A++")}
with open(submit, "w") as s, open(answered, "w") as a:
    for index, (line, item) in enumerate(zip(lines, results)):
        s.write(json.dumps(line) + "\n")
        judged = script["judge"][item["session_id"]]
        if "pairwise_literal" in judged:
            content = judged["pairwise_literal"]
        else:
            model_first = item["assignment"]["A"] == "test-model"
            choice = verdicts[judged["pairwise"]][0 if model_first else 1]
            content = json.dumps({"analysis of A": "...", "analysis of B": "...", "choice": choice})
        a.write(json.dumps({"id": f"batch_req_{index}", "custom_id": line["custom_id"], "error": None,
                            "response": {"body": {"choices": [{"message": {"content": content}}], "usage": {}}}}) + "\n")
cwd = os.getcwd()
os.chdir(work)
argv = sys.argv
for path, run_argv in [
    ("src/openai_batch_eval/batch_results_format.py", ["batch_results_format.py", submit, answered]),
    ("leaderboard/data_dir/_create_tables.py", ["_create_tables.py", "pairwise-gpt4t", "500"]),
    ("leaderboard/data_dir/_create_tables.py", ["_create_tables.py", "pairwise-gpt4t", "-1"]),
]:
    sys.argv = run_argv
    with open(os.devnull, "w") as quiet:
        stdout, sys.stdout = sys.stdout, quiet
        try:
            exec(compile(git_show(WILDBENCH, path), path, "exec"), {"__name__": "__main__"})
        finally:
            sys.stdout = stdout
sys.argv = argv
for k in ["500", "-1"]:
    table = json.load(open(os.path.join(work, f"leaderboard/data_dir/pairwise-gpt4t-K={k}.json")))
    output["pairwise"][f"K={k}"] = table["test-model"]
os.chdir(cwd)
print(json.dumps(output, indent=1, ensure_ascii=False), file=RESULT_OUT)
