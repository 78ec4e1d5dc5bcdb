"""The COCO caption toolkit (pycocoevalcap) on a `fusionpipe score` input file, as its eval.py scores
one system: PTB tokenization of the references and of the candidates (one java call each), then
BLEU-1..4, ROUGE-L and CIDEr-D. Used by `fusionpipe score-bench --coco-toolkit DIR` as the baseline.

    python3 coco_toolkit_score.py TOOLKIT_DIR INPUT.json OUTPUT.json

TOOLKIT_DIR is a pycocoevalcap checkout (the directory holding tokenizer/, bleu/, rouge/, cider/, with
stanford-corenlp-3.4.1.jar in tokenizer/). Writes the scores in `fusionpipe score`'s output format
and prints one JSON line with the seconds spent tokenizing and scoring.
"""
import json
import os
import sys
import time


def main(toolkit, source, target):
    toolkit = os.path.abspath(toolkit)
    sys.path.insert(0, os.path.dirname(toolkit))
    package = os.path.basename(toolkit)
    tokenizer = __import__(package + ".tokenizer.ptbtokenizer", fromlist=["PTBTokenizer"]).PTBTokenizer()
    scorers = [
        (["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"], __import__(package + ".bleu.bleu", fromlist=["Bleu"]).Bleu(4)),
        (["ROUGE_L"], __import__(package + ".rouge.rouge", fromlist=["Rouge"]).Rouge()),
        (["CIDEr"], __import__(package + ".cider.cider", fromlist=["Cider"]).Cider()),
    ]
    with open(source, encoding="utf-8") as f:
        images = json.load(f)["images"]
    systems = []
    for im in images:
        for name in im.get("candidates", {}):
            if name not in systems:
                systems.append(name)
    out = {}
    tokenize_s = 0.0
    metrics_s = 0.0
    for system in systems:
        ids = [im["id"] for im in images if system in im.get("candidates", {})]
        gts = {im["id"]: [{"caption": r} for r in im["references"]] for im in images if system in im.get("candidates", {})}
        res = {im["id"]: [{"caption": im["candidates"][system]}] for im in images if system in im.get("candidates", {})}
        t0 = time.perf_counter()
        gts = tokenizer.tokenize(gts)
        res = tokenizer.tokenize(res)
        t1 = time.perf_counter()
        corpus = {}
        per_image = {i: {} for i in ids}
        for names, scorer in scorers:
            score, scores = scorer.compute_score(gts, res) if names[0] != "Bleu_1" else scorer.compute_score(gts, res, verbose=0)
            if len(names) == 1:
                score, scores = [score], [scores]
            for name, s, per in zip(names, score, scores):
                corpus[name] = float(s)
                for i, v in zip(ids, per):
                    per_image[i][name] = float(v)
        metrics_s += time.perf_counter() - t1
        tokenize_s += t1 - t0
        out[system] = {"corpus": corpus, "per_image": per_image}
    with open(target, "w", encoding="utf-8") as f:
        json.dump(out, f)
    print(json.dumps({"tokenize_s": round(tokenize_s, 3), "metrics_s": round(metrics_s, 3)}))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: coco_toolkit_score.py TOOLKIT_DIR INPUT.json OUTPUT.json")
    main(*sys.argv[1:])
