"""Zero-shot helpers: sentence embeddings, cosine scores, pipeline runs."""

from __future__ import annotations

import pytest
import torch

from bertcourse.zeroshot import cosine_scores, embed_texts, run_pipeline


def test_cosine_scores_match_torch() -> None:
    generator = torch.Generator().manual_seed(0)
    texts, labels = torch.randn(4, 8, generator=generator), torch.randn(3, 8, generator=generator)
    scores = cosine_scores(texts, labels)
    expected = torch.nn.functional.cosine_similarity(texts[:, None], labels[None], dim=-1)
    assert scores.shape == (4, 3)
    assert torch.allclose(scores, expected, atol=1e-6)


@pytest.fixture(scope="module")
def encoder():
    import bertcourse as bc
    from bertcourse import config

    config._current = None  # offline (autouse fixture) before loading
    return bc.load_model(bc.OFFLINE_ENCODER, task="encoder"), bc.load_tokenizer(bc.OFFLINE_ENCODER)


def test_embed_texts_does_not_depend_on_batch_padding(encoder) -> None:
    model, tokenizer = encoder
    short, long = "Great tacos.", "The service was slow, the room was loud and the food was cold."
    alone = embed_texts(model, tokenizer, [short], progress=False)
    padded = embed_texts(model, tokenizer, [short, long], progress=False)
    assert alone.shape == (1, model.config.hidden_size)
    assert torch.allclose(alone[0], padded[0], atol=1e-5)  # padding must not leak in


def test_embed_texts_normalises_and_batches(encoder) -> None:
    model, tokenizer = encoder
    texts = [f"review number {i}" for i in range(5)]
    vectors = embed_texts(model, tokenizer, texts, batch_size=2, progress=False)
    assert vectors.shape[0] == 5
    assert torch.allclose(vectors.norm(dim=-1), torch.ones(5), atol=1e-5)
    one_batch = embed_texts(model, tokenizer, texts, batch_size=8, progress=False)
    assert torch.allclose(vectors, one_batch, atol=1e-5)


def test_embed_texts_similar_meaning_scores_higher(encoder) -> None:
    model, tokenizer = encoder
    reviews = embed_texts(
        model, tokenizer, ["Awful food, rude staff, never again."], progress=False
    )
    labels = embed_texts(
        model,
        tokenizer,
        ["a terrible restaurant review", "a great restaurant review"],
        progress=False,
    )
    scores = cosine_scores(reviews, labels)[0]
    assert scores[0] > scores[1]


def test_embed_texts_rejects_empty_input(encoder) -> None:
    model, tokenizer = encoder
    with pytest.raises(ValueError, match="no texts"):
        embed_texts(model, tokenizer, [])


def test_run_pipeline_keeps_order_and_matches_single_calls() -> None:
    from bertcourse import config
    from bertcourse.fillmask import fill_mask_pipeline

    config._current = None
    pipe = fill_mask_pipeline()
    mask = pipe.tokenizer.mask_token
    texts = [
        f"The food was {mask}.",
        f"A much longer review of the place. It was {mask}.",
        f"I {mask} it.",
    ]
    targets = ["good", "bad"]
    outputs = run_pipeline(pipe, texts, batch_size=2, progress=False, targets=targets)
    assert len(outputs) == len(texts)
    for text, output in zip(texts, outputs, strict=True):
        single = {c["token_str"]: c["score"] for c in pipe(text, targets=targets)}
        batched = {c["token_str"]: c["score"] for c in output}
        assert batched.keys() == single.keys()
        for word in targets:
            assert batched[word] == pytest.approx(single[word], rel=1e-3, abs=1e-6)
