# Produces mixeval-parse-cases.json: MixEval's own get_score_from_judge, get_option_from_judge (+ is_option) and
# extract_basemodel_response_2e/_3e (Psycoy/MixEval@7c52b419) on the judgments listed below.
#   MIXEVAL_ROOT=$PWD/MixEval python3 run-mixeval-parse-cases.py 2>/dev/null > mixeval-parse-cases.json
import sys, json
exec(open('run-mixeval-reference.py').read().split("import mix_eval.compute_metrics")[0])
import mix_eval.utils.metric_utils as mu
from mix_eval.utils.common_utils import extract_basemodel_response_3e, extract_basemodel_response_2e
score_cases = ["The correctness score: [[0.5]].", "[[1.0]]", "[[1]]", "[0.7]", "Score [[1.5]] then [[0.2]]", "as in [2], the score is [[0.3]]",
  "[[.5]]", "[[0.]]", "[[00]]", "[[007.5]]", "[[ 0.5 ]]", "The correctness score: 0.8", "", "[[0.5]] [[0.9]]", "[[1.0.]]", "[1.]", "[[-0.5]]", "[[0.25]]"]
out = {"score": [], "option": [], "extract": []}
for c in score_cases:
    out["score"].append([c, mu.get_score_from_judge(c)])
option_cases = ["The option chosen by the model: [[B]].", "[C]", "[[b]]", "see [A] and [[D]]", "[[AB]]", "none", "", "[[E]]", "[[-1]]", "[ B ]", "[[A]] [[B]]"]
for c in option_cases:
    o = mu.get_option_from_judge(c); out["option"].append([c, o if mu.is_option(o) else None])
for r in ["A\n\nB. more", "\n\nA", "C. Paris\n\nQuestion: next", "   \n\n  "]:
    out["extract"].append([r, extract_basemodel_response_2e(r), extract_basemodel_response_3e(r)])
for r in ["42\n\n\nQuestion: What next?", "\n\n\nQuestion: x", "...\n\n\nQuestion: y", "é\n\n\nQuestion"]:
    out["extract"].append([r, extract_basemodel_response_2e(r), extract_basemodel_response_3e(r)])
print(json.dumps(out, indent=1, ensure_ascii=False))
