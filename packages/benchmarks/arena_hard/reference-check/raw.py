# Full-precision intermediate values of show_result.py's v0.1 path (same calls as its __main__).
import sys, json
sys.argv = ["show_result.py"]
import numpy as np
import show_result as sr
from utils_math import compute_mle_elo, get_bootstrap_result, construct_style_matrices, fit_bt, get_bootstrap_result_style_control
style = len(sys.argv) > 0 and "--style" in sys.orig_argv
battles = sr.get_battles_from_judgment("arena-hard-v0.1", "judge", False, 3, "gpt-4-0314", style)
if not style:
    elo = compute_mle_elo(battles)
    boot = get_bootstrap_result(battles, compute_mle_elo, 100)
else:
    X, Y, models = construct_style_matrices(battles)
    elo, coef = fit_bt(X, Y, models)
    print("style coef", repr(coef.tolist()))
    boot, _ = get_bootstrap_result_style_control(X, Y, battles, models, fit_bt, num_round=100)
print("battles", len(battles))
print("elo", repr(elo["test-model"]), "baseline", repr(elo["gpt-4-0314"]))
print("p2.5", repr(np.percentile(boot["test-model"], 2.5)), "p97.5", repr(np.percentile(boot["test-model"], 97.5)))
print("first bootstrap elos", repr(boot["test-model"].tolist()[:3]))
