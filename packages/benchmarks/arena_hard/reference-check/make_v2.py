# Synthetic Arena-Hard v2.0 hard_prompt judgments for show_result.py at lmarena/arena-hard-auto@196f6b8.
import json, os, random, sys
rng = random.Random(20250425)
labels = ["A>>B", "A>B", "A=B", "B>A", "B>>A", None, "A<B", "B<<A"]
weights = [2, 4, 3, 5, 3, 1, 1, 1]
qs = []
for i in range(50):
    qs.append({"uid": f"h{i:03d}x", "games": [rng.choices(labels, weights)[0], rng.choices(labels, weights)[0]]})
root = "."
os.makedirs(f"{root}/data/arena-hard-v2.0/model_judgment/judge", exist_ok=True)
with open(f"{root}/data/arena-hard-v2.0/model_judgment/judge/test-model.jsonl", "w") as f:
    for q in qs:
        f.write(json.dumps({"uid": q["uid"], "category": "hard_prompt", "judge": "judge", "model": "test-model", "baseline": "o3-mini-2025-01-31",
                            "games": [None if g is None else {"score": g} for g in q["games"]]}) + "\n")
json.dump(qs, open(sys.argv[1], "w"), indent=1)
