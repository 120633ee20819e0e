#!/usr/bin/env python3
"""Paired comparison of the models of a `train` or `evaluate` run, user by user, from its CSV exports.

With one held-out movie per user (leave-one-out, session), a few hundred users give noisy averages: whether one model
is ahead of another is a question about the per-user differences. For the first model in metrics.json against each
other one, prints the mean per-user difference in ndcg@k and hr@k with its standard error, and on how many users the
first model is ahead, behind and level. Definitions as in recompute_metrics.py. Standard library only.

Usage: python3 tools/compare_models.py <run folder> [<run folder> ...]   (several folders: users of all pooled)
"""

import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recompute_metrics import read_recommendations, read_relevant  # noqa: E402


def per_user(relevant, lists, k):
    scores = {}
    for user, relevant_items in relevant.items():
        top = lists.get(user, [])[:k]
        dcg = sum(1.0 / math.log2(rank + 1) for rank, movie in enumerate(top, start=1) if movie in relevant_items)
        idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant_items), k) + 1))
        scores[user] = (dcg / idcg, 1.0 if any(movie in relevant_items for movie in top) else 0.0)
    return scores


def mean_and_error(values):
    n = len(values)
    mean = sum(values) / n
    variance = sum((value - mean) ** 2 for value in values) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(variance / n)


def main():
    folders = sys.argv[1:]
    if not folders:
        print(__doc__.split("\n\n")[-1], file=sys.stderr)
        return 2
    differences = {}
    first = None
    k = None
    try:
        for folder in folders:
            with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as handle:
                report = json.load(handle)
            k = int(report["protocol"]["k"])
            models = list(report["models"])
            if first is None:
                first = models[0]
            elif models[0] != first:
                raise ValueError(f"{folder}: the first model is {models[0]}, not {first}")
            relevant = read_relevant(os.path.join(folder, "test.csv"))
            scores = {model: per_user(relevant, read_recommendations(os.path.join(folder, "recommendations.csv" if position == 0 else f"recommendations-{model}.csv")), k)
                      for position, model in enumerate(models)}
            for model in models[1:]:
                pairs = differences.setdefault(model, [])
                pairs.extend((scores[first][user][0] - scores[model][user][0], scores[first][user][1] - scores[model][user][1]) for user in relevant)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{first} minus each model, per user (mean ± standard error), over {len(folders)} run(s)")
    for model, pairs in differences.items():
        ndcg, ndcg_error = mean_and_error([pair[0] for pair in pairs])
        hits, hits_error = mean_and_error([pair[1] for pair in pairs])
        ahead = sum(1 for pair in pairs if pair[0] > 0)
        behind = sum(1 for pair in pairs if pair[0] < 0)
        print(f"  {model:<11} ndcg@{k} {ndcg:+.4f} ± {ndcg_error:.4f}   hr@{k} {hits:+.4f} ± {hits_error:.4f}   "
              f"users ahead {ahead}, behind {behind}, level {len(pairs) - ahead - behind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
