#!/usr/bin/env python3
"""Recompute the ranking metrics of an `evaluate` run from its CSV exports and compare them with metrics.json.

Reads <dir>/test.csv (userId,movieId: the held-out interactions, every one relevant), the recommendations of
each model (<dir>/recommendations.csv for the first model in metrics.json, recommendations-<model>.csv for the
others; userId,rank,movieId,score) and the catalogue size (dataset.items) from <dir>/metrics.json.
Definitions (Microsoft Recommenders): averages over the users in test.csv; precision@k = hits / k;
recall@k = hits / relevant; ndcg@k with binary relevance, DCG = sum 1/log2(rank + 1) and IDCG over
min(relevant, k) ranks; map = sum of precision at each hit in the top k / relevant; hr@k = any hit;
mrr@k = 1 / rank of the first hit; coverage@k = distinct recommended movies / catalogue size.

Exits 1 when any recomputed metric differs from metrics.json by more than the tolerance, 2 on unusable input.
Standard library only.
"""

import argparse
import csv
import json
import math
import os
import sys
from collections import defaultdict


def read_csv(path, header):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        first = next(reader, None)
        if first != header:
            raise ValueError(f"{path}:1: expected header {','.join(header)}, got {','.join(first or [])}")
        for line_number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError(f"{path}:{line_number}: expected {len(header)} fields, got {len(row)}")
            yield line_number, row


def read_relevant(path):
    relevant = defaultdict(set)
    for line_number, (user, movie) in read_csv(path, ["userId", "movieId"]):
        try:
            relevant[int(user)].add(int(movie))
        except ValueError:
            raise ValueError(f"{path}:{line_number}: ids must be integers") from None
    return relevant


def read_recommendations(path):
    ranked = defaultdict(dict)
    for line_number, (user, rank, movie, score) in read_csv(path, ["userId", "rank", "movieId", "score"]):
        try:
            user, rank, movie = int(user), int(rank), int(movie)
            float(score)
        except ValueError:
            raise ValueError(f"{path}:{line_number}: userId, rank and movieId must be integers, score a number") from None
        if rank < 1 or rank in ranked[user]:
            raise ValueError(f"{path}:{line_number}: rank {rank} is not positive or repeats for user {user}")
        ranked[user][rank] = movie
    lists = {}
    for user, by_rank in ranked.items():
        if sorted(by_rank) != list(range(1, len(by_rank) + 1)):
            raise ValueError(f"{path}: ranks of user {user} are not 1..{len(by_rank)}")
        lists[user] = [by_rank[rank] for rank in range(1, len(by_rank) + 1)]
    return lists


def metrics_for(relevant, lists, k, catalogue_size):
    totals = defaultdict(float)
    recommended = set()
    for user, relevant_items in relevant.items():
        top = lists.get(user, [])[:k]
        recommended.update(top)
        hits = 0
        dcg = 0.0
        precision_sum = 0.0
        first_hit = 0
        for rank, movie in enumerate(top, start=1):
            if movie in relevant_items:
                hits += 1
                dcg += 1.0 / math.log2(rank + 1)
                precision_sum += hits / rank
                first_hit = first_hit or rank
        idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant_items), k) + 1))
        totals[f"precision@{k}"] += hits / k
        totals[f"recall@{k}"] += hits / len(relevant_items)
        totals[f"ndcg@{k}"] += dcg / idcg
        totals["map"] += precision_sum / len(relevant_items)
        totals[f"hr@{k}"] += 1.0 if hits else 0.0
        totals[f"mrr@{k}"] += 1.0 / first_hit if first_hit else 0.0
    users = max(len(relevant), 1)
    result = {name: total / users for name, total in totals.items()}
    result[f"coverage@{k}"] = len(recommended) / catalogue_size if catalogue_size else 0.0
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="output folder of `evaluate` (metrics.json, test.csv, recommendations*.csv)")
    parser.add_argument("--tolerance", type=float, default=1e-6, help="largest accepted absolute difference (default 1e-6)")
    args = parser.parse_args()

    try:
        with open(os.path.join(args.folder, "metrics.json"), encoding="utf-8") as handle:
            report = json.load(handle)
        k = int(report["protocol"]["k"])
        catalogue_size = int(report["dataset"]["items"])
        models = list(report["models"])
        relevant = read_relevant(os.path.join(args.folder, "test.csv"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not models:
        print("error: metrics.json lists no model", file=sys.stderr)
        return 2

    worst = 0.0
    for position, model in enumerate(models):
        file_name = "recommendations.csv" if position == 0 else f"recommendations-{model}.csv"
        try:
            lists = read_recommendations(os.path.join(args.folder, file_name))
        except (OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        recomputed = metrics_for(relevant, lists, k, catalogue_size)
        reported = report["models"][model]
        print(f"{model} ({file_name}, {len(relevant)} users, k={k})")
        model_worst = 0.0
        for name, value in recomputed.items():
            if name not in reported:
                print(f"  {name:<14} {value:.10f}   (missing from metrics.json)")
                model_worst = math.inf
                continue
            difference = abs(value - reported[name])
            model_worst = max(model_worst, difference)
            print(f"  {name:<14} {value:.10f}   metrics.json {reported[name]:.10f}   |diff| {difference:.3g}")
        print(f"  max abs difference: {model_worst:.3g}")
        worst = max(worst, model_worst)

    if worst > args.tolerance:
        print(f"FAIL: max abs difference {worst:.3g} exceeds {args.tolerance:g}", file=sys.stderr)
        return 1
    print(f"OK: max abs difference {worst:.3g} <= {args.tolerance:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
