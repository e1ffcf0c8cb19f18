# Builds a synthetic Arena-Hard v0.1 judgment set (one model against gpt-4-0314) and the answer files
# show_result.py (lmarena/arena-hard-auto@3071ef9) reads; writes the same data as the TS test fixture.
import json, os, random, sys
rng = random.Random(20240731)
labels = ["A>>B", "A>B", "A=B", "B>A", "B>>A", None, "A<B"]
weights = [2, 4, 3, 5, 3, 1, 1]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
name = sys.argv[2] if len(sys.argv) > 2 else "synthetic"
out = sys.argv[3]
questions = []
for i in range(n):
    g1, g2 = rng.choices(labels, weights)[0], rng.choices(labels, weights)[0]
    style = lambda: {"token_len": rng.randint(50, 1200), "header_count": rng.randint(0, 6), "list_count": rng.randint(0, 15), "bold_count": rng.randint(0, 10)}
    questions.append({"uid": f"q{i:03d}x", "games": [g1, g2], "baseline": style(), "model": style()})
root = name
os.makedirs(f"{root}/data/arena-hard-v0.1/model_judgment/judge", exist_ok=True)
os.makedirs(f"{root}/data/arena-hard-v0.1/model_answer", exist_ok=True)
with open(f"{root}/data/arena-hard-v0.1/model_judgment/judge/test-model.jsonl", "w") as f:
    for q in questions:
        f.write(json.dumps({"question_id": q["uid"], "model": "test-model", "judge": "judge",
                            "games": [{"score": q["games"][0]}, {"score": q["games"][1]}]}) + "\n")
for model, key in [("gpt-4-0314", "baseline"), ("test-model", "model")]:
    with open(f"{root}/data/arena-hard-v0.1/model_answer/{model}.jsonl", "w") as f:
        for q in questions:
            s = q[key]
            f.write(json.dumps({"question_id": q["uid"], "model_id": model,
                                "choices": [{"index": 0, "turns": [{"content": "x", "token_len": s["token_len"]}]}],
                                "conv_metadata": {"token_len": s["token_len"],
                                                  "header_count": {"h1": s["header_count"]},
                                                  "list_count": {"ordered": s["list_count"]},
                                                  "bold_count": {"**": s["bold_count"]}}}) + "\n")
json.dump(questions, open(out, "w"), indent=1)
