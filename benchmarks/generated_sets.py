"""How hard are the generated course sets? Briefly fine-tune MiniLM on each and print figures.

For every generated task this prints, on validation examples:
* a majority-class / bag-of-words baseline (classification tasks),
* the packaged MiniLM with a fresh head, untrained,
* the same model after a short fine-tuning run (a fixed wall-clock budget).

Usage:
    python benchmarks/generated_sets.py [--steps 75] [--n-eval 200] [TASK ...]
    python benchmarks/generated_sets.py --steps 0 --seconds 30   # a wall-clock budget

Figures only, no asserts. Timings on a shared machine are inflated by other load.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import string
import sys
import time

os.environ.setdefault("BERTCOURSE_OFFLINE", "1")
os.environ.setdefault("BERTCOURSE_PROGRESS", "0")

import numpy as np
import torch

import bertcourse as bc
from bertcourse.data.generate import generate
from courseops.bench import describe_machine

#: Peak learning rate; ``None``: the course's rate for MiniLM and the task
#: (``bc.settings().learning_rate``; the table in the README was measured with 2e-4,
#: 5e-5 on NLI, the rates before the head got its own).
LR: float | None = None
BATCH = 16
#: Optimisation steps per task (0: train for --seconds instead). A step count gives the
#: same figures on a busy machine; 75 steps of 16 take ~20-40 s on 2 quiet cores.
STEPS = 75


def _batches(n: int, size: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for i in range(0, n, size):
        yield order[i : i + size]


def _train(model, make_batch, n_train: int, seconds: float, task: str) -> tuple[int, int]:
    """Train for ``STEPS`` optimisation steps if set, else until ``seconds`` have passed.

    Returns:
        (steps, examples seen).
    """
    from transformers import get_linear_schedule_with_warmup

    model.train()
    lr = LR or bc.settings().learning_rate(bc.OFFLINE_ENCODER, dataset=task)
    print(f"  training: lr {lr:g}, batch {BATCH}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    # The course's schedule (bc.training_arguments): 10 % warm-up, then linear decay. A
    # constant 2e-4 from step 0 knocks the fresh head over on the 5-class sets.
    planned = STEPS or max(1, int(seconds * 2))  # about 2 steps/s on 2 quiet cores
    scheduler = get_linear_schedule_with_warmup(optimizer, max(1, planned // 10), planned)
    rng = np.random.default_rng(0)
    steps = seen = 0
    start = time.perf_counter()

    def done() -> bool:
        return steps >= STEPS if STEPS else time.perf_counter() - start >= seconds

    while not done():
        for idx in _batches(n_train, BATCH, rng):
            loss = model(**make_batch(idx)).loss
            loss.backward()
            optimizer.step()
            if scheduler.last_epoch < planned - 1:  # a time budget may run past the plan
                scheduler.step()
            optimizer.zero_grad()
            steps += 1
            seen += len(idx)
            if done():
                break
    model.eval()
    return steps, seen


# --- classification (reviews, NLI) -------------------------------------------------------


def classification(task: str, seconds: float, n_eval: int) -> None:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score

    from bertcourse.metrics import macro_f1

    dd = generate(task)
    train = dd["train"].filter(lambda row: row["label"] >= 0)
    val = dd["validation"].select(range(min(n_eval, dd["validation"].num_rows)))
    pair = "premise" in train.column_names
    n_labels = train.features["label"].num_classes

    def texts(split):
        if pair:
            return list(split["premise"]), list(split["hypothesis"])
        return list(split["text"]), None

    def bow(split):
        a, b = texts(split)
        return (
            a
            if b is None
            else [
                x + " " + " ".join("h_" + w for w in y.split()) for x, y in zip(a, b, strict=True)
            ]
        )

    vec = CountVectorizer(ngram_range=(1, 2))
    clf = LogisticRegression(max_iter=2000).fit(vec.fit_transform(bow(train)), list(train["label"]))
    labels = list(val["label"])
    print(
        f"  majority class      acc {max(collections.Counter(labels).values()) / len(labels):.3f}"
    )
    print(f"  bag of words (1-2g) acc {clf.score(vec.transform(bow(val)), labels):.3f}")

    tokenizer = bc.load_tokenizer()
    model = bc.load_model(task="sequence-classification", num_labels=n_labels)
    tr_a, tr_b = texts(train)
    va_a, va_b = texts(val)

    def encode(a, b):
        return tokenizer(a, b, truncation=True, max_length=128, padding=True, return_tensors="pt")

    def make_batch(idx):
        enc = encode([tr_a[i] for i in idx], None if tr_b is None else [tr_b[i] for i in idx])
        enc["labels"] = torch.tensor([train[int(i)]["label"] for i in idx])
        return enc

    def evaluate() -> tuple[float, float]:
        preds = []
        with torch.no_grad():
            for i in range(0, len(va_a), 64):
                enc = encode(va_a[i : i + 64], None if va_b is None else va_b[i : i + 64])
                preds += model(**enc).logits.argmax(-1).tolist()
        return float(accuracy_score(labels, preds)), macro_f1(preds, labels)

    acc, f1 = evaluate()
    print(f"  MiniLM untrained    acc {acc:.3f}  macro-F1 {f1:.3f}")
    steps, seen = _train(model, make_batch, train.num_rows, seconds, task)
    acc, f1 = evaluate()
    print(f"  MiniLM trained ({steps} steps, {seen} ex) acc {acc:.3f}  macro-F1 {f1:.3f}")


# --- NER ---------------------------------------------------------------------------------


def ner(seconds: float, n_eval: int) -> None:
    from bertcourse.metrics import seqeval_scores

    dd = generate("conll2003")
    names = dd["train"].features["ner_tags"].feature.names
    train, val = dd["train"], dd["validation"].select(range(n_eval))
    tokenizer = bc.load_tokenizer()
    model = bc.load_model(task="token-classification", num_labels=len(names))

    def encode(rows):
        enc = tokenizer(
            list(rows["tokens"]),
            is_split_into_words=True,
            truncation=True,
            max_length=128,
            padding=True,
            return_tensors="pt",
        )
        labels = []
        for b, tags in enumerate(rows["ner_tags"]):
            previous, row = None, []
            for word in enc.word_ids(b):
                row.append(-100 if word is None or word == previous else tags[word])
                previous = word
            labels.append(row)
        enc["labels"] = torch.tensor(labels)
        return enc

    def make_batch(idx):
        return encode(train[[int(i) for i in idx]])

    def evaluate() -> float:
        predictions, references = [], []
        with torch.no_grad():
            for i in range(0, val.num_rows, 64):
                enc = encode(val[i : i + 64])
                labels = enc.pop("labels")
                logits = model(**enc).logits.argmax(-1)
                for pred_row, label_row in zip(logits.tolist(), labels.tolist(), strict=True):
                    kept = [(p, g) for p, g in zip(pred_row, label_row, strict=True) if g != -100]
                    predictions.append([names[p] for p, _ in kept])
                    references.append([names[g] for _, g in kept])
        return seqeval_scores(predictions, references)["overall_f1"]

    memory = collections.defaultdict(collections.Counter)
    for row in train:
        for token, tag in zip(row["tokens"], row["ner_tags"], strict=True):
            memory[token][tag] += 1
    guesses = [
        [names[memory[t].most_common(1)[0][0]] if t in memory else "O" for t in row["tokens"]]
        for row in val
    ]
    gold = [[names[t] for t in row["ner_tags"]] for row in val]
    print(
        f"  memorise each word's tag   entity F1 {seqeval_scores(guesses, gold)['overall_f1']:.3f}"
    )
    print(f"  MiniLM untrained           entity F1 {evaluate():.3f}")
    steps, seen = _train(model, make_batch, train.num_rows, seconds, "conll2003")
    print(f"  MiniLM trained ({steps} steps, {seen} ex) entity F1 {evaluate():.3f}")


# --- SQuAD -------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def squad(seconds: float, n_eval: int) -> None:
    dd = generate("squad")
    train, val = dd["train"], dd["validation"].select(range(n_eval))
    tokenizer = bc.load_tokenizer()
    model = bc.load_model(task="question-answering")

    def encode(rows, with_labels: bool):
        enc = tokenizer(
            list(rows["question"]),
            list(rows["context"]),
            truncation="only_second",
            max_length=256,
            padding=True,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = enc.pop("offset_mapping")
        if with_labels:
            starts, ends = [], []
            for b, answers in enumerate(rows["answers"]):
                a0 = answers["answer_start"][0]
                a1 = a0 + len(answers["text"][0])
                seq = enc.sequence_ids(b)
                s = e = 0
                for t, (o0, o1) in enumerate(offsets[b].tolist()):
                    if seq[t] != 1:
                        continue
                    if o0 <= a0 < o1:
                        s = t
                    if o0 < a1 <= o1:
                        e = t
                starts.append(s)
                ends.append(e)
            enc["start_positions"] = torch.tensor(starts)
            enc["end_positions"] = torch.tensor(ends)
        return enc, offsets

    def make_batch(idx):
        return encode(train[[int(i) for i in idx]], True)[0]

    def evaluate() -> tuple[float, float]:
        em = f1 = 0.0
        with torch.no_grad():
            for i in range(0, val.num_rows, 32):
                rows = val[i : i + 32]
                enc, offsets = encode(rows, False)
                out = model(**enc)
                for b in range(len(rows["id"])):
                    seq = enc.sequence_ids(b)
                    mask = torch.tensor([s != 1 for s in seq])
                    start = out.start_logits[b].masked_fill(mask, -1e9)
                    end = out.end_logits[b].masked_fill(mask, -1e9)
                    scores = start[:, None] + end[None, :]
                    scores = scores.masked_fill(
                        ~torch.ones_like(scores, dtype=torch.bool).triu(), -1e9
                    )
                    s, e = divmod(int(scores.argmax()), scores.shape[1])
                    pred = rows["context"][b][offsets[b][s][0] : offsets[b][e][1]]
                    gold = rows["answers"][b]["text"][0]
                    em += _normalise(pred) == _normalise(gold)
                    p, g = _normalise(pred).split(), _normalise(gold).split()
                    common = sum((collections.Counter(p) & collections.Counter(g)).values())
                    if common:
                        prec, rec = common / len(p), common / len(g)
                        f1 += 2 * prec * rec / (prec + rec)
        return 100 * em / val.num_rows, 100 * f1 / val.num_rows

    first_year = [row for row in val if re.fullmatch(r"\d{4}", row["answers"]["text"][0])]
    right = sum(
        re.search(r"\b\d{4}\b", r["context"]).group() == r["answers"]["text"][0] for r in first_year
    )
    print(f"  'first year in context' on year questions  EM {100 * right / len(first_year):.1f}")

    def after_entity(row) -> str | None:
        """The first year after the first mention of the question's entity (its longest
        capitalised name that the context contains): answer type + entity, no relation."""
        names = re.findall(r"[A-Z][a-z]+(?: (?:and )?[A-Z][a-z]+)*", row["question"])
        names = [n for n in names if n in row["context"]] or [""]
        found = re.search(r"\b\d{4}\b", row["context"][row["context"].index(max(names, key=len)) :])
        return found.group() if found else None

    right = sum(after_entity(r) == r["answers"]["text"][0] for r in first_year)
    print(f"  'first year after the entity' on year qs   EM {100 * right / len(first_year):.1f}")
    em, f1 = evaluate()
    print(f"  MiniLM untrained           EM {em:.1f}  F1 {f1:.1f}")
    steps, seen = _train(model, make_batch, train.num_rows, seconds, "squad")
    em, f1 = evaluate()
    print(f"  MiniLM trained ({steps} steps, {seen} ex) EM {em:.1f}  F1 {f1:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "tasks",
        nargs="*",
        default=["yelp_review_full", "sst5", "multi_nli", "snli", "conll2003", "squad"],
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="training time per task when --steps 0"
    )
    parser.add_argument("--n-eval", type=int, default=200, help="validation examples")
    parser.add_argument(
        "--steps", type=int, default=STEPS, help="optimisation steps per task (0: use --seconds)"
    )
    parser.add_argument(
        "--lr", type=float, default=None, help="peak learning rate (default: the course's)"
    )
    args = parser.parse_args()
    globals()["STEPS"] = args.steps
    globals()["LR"] = args.lr
    sys.stdout.reconfigure(line_buffering=True)  # figures show up even if the run is cut short
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    print(describe_machine())
    for task in args.tasks:
        start = time.perf_counter()
        print(f"{task}:")
        if task == "conll2003":
            ner(args.seconds, args.n_eval)
        elif task == "squad":
            squad(args.seconds, args.n_eval)
        else:
            classification(task, args.seconds, args.n_eval)
        print(f"  ({time.perf_counter() - start:.0f} s wall, including loading and evaluation)")


if __name__ == "__main__":
    main()
