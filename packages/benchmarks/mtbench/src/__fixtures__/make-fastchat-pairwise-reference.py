"""Regenerates fastchat-pairwise-reference.json by running FastChat's own pairwise code (not a re-implementation).

Setup (Debian python3 with python3-pandas and python3-numpy; no network), in a scratch directory:
  - fastchat/{conversation.py,llm_judge/common.py,llm_judge/gen_judgment.py,llm_judge/show_result.py}: `git show
    HEAD:fastchat/...` of lm-sys/FastChat at 0e6d3e4beaab66f4d3f93db72541a4abab8af28d, with empty __init__.py files;
  - fastchat/model/model_adapter.py, a stub: OPENAI_MODEL_LIST = ("gpt-4",), ANTHROPIC_MODEL_LIST = (),
    get_conversation_template(model) = get_conv_template("chatgpt") (what FastChat's ChatGPTAdapter picks for gpt-4);
  - stubs/openai: `error.OpenAIError`, `ChatCompletion.create(model, messages, n, temperature, max_tokens)` appending
    the request to REQUESTS and answering VERDICTS[int(sha256(messages[-1]["content"])[:8], 16) % len(VERDICTS)];
    stubs/anthropic (HUMAN_PROMPT, APIError, Anthropic) and stubs/tqdm (tqdm = identity), never called;
  - data/judge_prompts.jsonl, data/mt_bench/question.jsonl, data/mt_bench/reference_answer/gpt-4.jsonl and
    data/mt_bench/model_answer/{gpt-3.5-turbo,gpt-4,claude-v1}.jsonl: links to /work/shared/datasets/mtbench.
Run: PYTHONPATH=stubs:. python3 make-fastchat-pairwise-reference.py > fastchat-pairwise-reference.json
"""
import argparse, hashlib, json, os, sys
import openai
from fastchat.llm_judge import show_result
from fastchat.llm_judge.common import (load_questions, load_model_answers, load_judge_prompts, play_a_match_pair, NEED_REF_CATS)
from fastchat.llm_judge.gen_judgment import make_match, make_match_all_pairs, make_judge_pairwise

VERDICTS = [
    "Assistant A follows the instructions better.\n\n[[A]]",
    "Assistant B is more accurate. [[B]]",
    "Both answers are equally good. [[C]]",
    "I cannot decide between the two.",
    "I first leaned to [[B]], but on reflection [[A]] is better.",
    "[[B]] is better; calling it [[C]] would be unfair.",
    "Final verdict: [[A]]",
    "Final verdict: [[b]]",
    "Final verdict: [[B]]",
    "It is a tie: [[C]]",
]
openai.VERDICTS[:] = VERDICTS
MODEL_ANSWER = "Evaluated model, question {qid}, turn {turn}: keep {{answer_b}} literally, naïve café ✓"

base = "data/mt_bench"
with open(f"{base}/model_answer/mymodel.jsonl", "w") as f:
    for q in load_questions(f"{base}/question.jsonl", None, None):
        turns = [MODEL_ANSWER.format(qid=q["question_id"], turn=t) for t in (1, 2)]
        f.write(json.dumps({"question_id": q["question_id"], "model_id": "mymodel", "choices": [{"index": 0, "turns": turns}]}) + "\n")

questions = load_questions(f"{base}/question.jsonl", None, None)
model_answers = load_model_answers(f"{base}/model_answer")
ref_answers = load_model_answers(f"{base}/reference_answer")
judges = make_judge_pairwise("gpt-4", load_judge_prompts("data/judge_prompts.jsonl"))
q_math = [q for q in questions if q["category"] in NEED_REF_CATS]
q_default = [q for q in questions if q["category"] not in NEED_REF_CATS]

def play(make, models, baseline, out):
    if os.path.exists(out): os.remove(out)
    matches = []
    matches += make(q_default, models, model_answers, judges["default"], baseline)
    matches += make(q_math, models, model_answers, judges["math"], baseline, ref_answers)
    matches += make(q_default, models, model_answers, judges["default-mt"], baseline, multi_turn=True)
    matches += make(q_math, models, model_answers, judges["math-mt"], baseline, ref_answers, multi_turn=True)
    for m in matches:
        play_a_match_pair(m, output_file=out)

def table(input_file, baseline, mode):
    captured = []
    show_result.print = lambda *a, **k: captured.append(a)
    args = argparse.Namespace(input_file=input_file, baseline_model=baseline, model_list=None, mode=mode, bench_name="mt_bench", judge_model="gpt-4")
    show_result.display_result_pairwise(args)
    df = captured[-1][0]
    return {m: {k: (int(v) if k in ("win", "loss", "tie") else float(v)) for k, v in row.items()} for m, row in df.to_dict("index").items()}

def subset(src, dst, keep):
    with open(src) as fi, open(dst, "w") as fo:
        for line in fi:
            if keep(json.loads(line)): fo.write(line)

result = {}
sys_stdout = sys.stdout
sys.stdout = sys.stderr  # play_a_match_pair prints each match
openai.REQUESTS.clear()
play(make_match, ["mymodel"], "gpt-3.5-turbo", "/tmp/fcref/pair_baseline.jsonl")
baseline_requests = list(openai.REQUESTS)
result["pairwise_baseline"] = {"all": table("/tmp/fcref/pair_baseline.jsonl", "gpt-3.5-turbo", "pairwise-baseline")["mymodel"]}
for turn in (1, 2):
    subset("/tmp/fcref/pair_baseline.jsonl", f"/tmp/fcref/pb_t{turn}.jsonl", lambda o: o["turn"] == turn)
    result["pairwise_baseline"][f"turn_{turn}"] = table(f"/tmp/fcref/pb_t{turn}.jsonl", "gpt-3.5-turbo", "pairwise-baseline")["mymodel"]

play(make_match_all_pairs, ["mymodel", "gpt-4", "claude-v1"], None, "/tmp/fcref/pair_all.jsonl")
result["pairwise_all"] = {"all": table("/tmp/fcref/pair_all.jsonl", None, "pairwise-all")["mymodel"]}
for opp in ("gpt-4", "claude-v1"):
    subset("/tmp/fcref/pair_all.jsonl", f"/tmp/fcref/pa_{opp}.jsonl", lambda o: {o["model_1"], o["model_2"]} == {"mymodel", opp})
    result["pairwise_all"][f"vs_{opp}"] = table(f"/tmp/fcref/pa_{opp}.jsonl", None, "pairwise-all")["mymodel"]
sys.stdout = sys_stdout

def digest(messages):
    return hashlib.sha256("\x00".join(m["role"] + "\x00" + m["content"] for m in messages).encode("utf-8")).hexdigest()

rows = [json.loads(line) for line in open("/tmp/fcref/pair_baseline.jsonl")]
both = [r for r in rows if r["g1_winner"] != "error" and r["g2_winner"] != "error"]
audit = {
    "verdicts": len(baseline_requests),
    "unparsable": sum((r["g1_winner"] == "error") + (r["g2_winner"] == "error") for r in rows),
    "swappedPairs": len(both),
    "consistentPairs": sum(r["g1_winner"] == r["g2_winner"] for r in both),
}

print(json.dumps({
    "generatedBy": "FastChat fastchat/llm_judge common.py (play_a_match_pair, run_judge_pair), gen_judgment.py (make_match, make_match_all_pairs, make_judge_pairwise) and show_result.py (display_result_pairwise) at lm-sys/FastChat@0e6d3e4beaab66f4d3f93db72541a4abab8af28d, run by make-fastchat-pairwise-reference.py on /work/shared/datasets/mtbench with a scripted judge: the answer to a request is verdicts[int(sha256(user message)[:8], 16) % len(verdicts)]",
    "baselineAudit": audit,
    "verdicts": VERDICTS,
    "modelAnswer": MODEL_ANSWER,
    "baselineRequests": [
        {"sha256": digest(r["messages"]), "temperature": r["temperature"], "max_tokens": r["max_tokens"]} for r in baseline_requests],
    "results": result,
}, indent=1, ensure_ascii=False))
