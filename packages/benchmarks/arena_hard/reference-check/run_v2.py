# Runs show_result.py (v2.0) print_leaderboard on the synthetic judgments with numpy's global generator
# seeded; torch is stubbed (print_leaderboard does not use it). Also prints full-precision values.
import sys, types
sys.modules["torch"] = types.ModuleType("torch")
import numpy as np, pandas as pd
import show_result as sr
battles = sr.load_judgments(["judge"], "arena-hard-v2.0")
battles = battles[battles.category == "hard_prompt"].reset_index(drop=True)
print("scores", battles.scores.tolist())
np.random.seed(int(sys.argv[1]))
sr.print_leaderboard(battles, "hard_prompt")
np.random.seed(int(sys.argv[1]))
_b = battles.drop(columns=['category'])[['model', 'scores']]
boot = pd.concat([_b.groupby("model").sample(frac=1.0, replace=True).groupby("model").mean() for _ in range(100)])
boot["scores"] = boot["scores"].astype(float)
print("mean", repr(boot.groupby("model").mean()["scores"].iloc[0]), "q05", repr(boot.groupby("model").quantile(0.05)["scores"].iloc[0]), "q95", repr(boot.groupby("model").quantile(0.95)["scores"].iloc[0]))
