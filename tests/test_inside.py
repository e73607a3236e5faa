from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

import bertcourse as bc
from bertcourse.exceptions import BertCourseError
from bertcourse.inside import head_parameters, masking_statistics, plot_similarity_matrix

MASK = 103


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor(
        [[101, 2000, 2001, 2002, 2003, 102, 0, 0], [101, 3000, 3001, 102, 0, 0, 0, 0]]
    )
    special = torch.tensor([[1, 0, 0, 0, 0, 1, 1, 1], [1, 0, 0, 1, 1, 1, 1, 1]])
    return ids, special


def test_masking_statistics_counts_each_kind_of_replacement():
    ids, special = _batch()
    masked, labels = ids.clone(), torch.full_like(ids, -100)
    # Selected: (0,1) -> [MASK], (0,2) -> random, (0,3) unchanged; (1,1) -> [MASK].
    for row, column in ((0, 1), (0, 2), (0, 3), (1, 1)):
        labels[row, column] = ids[row, column]
    masked[0, 1] = MASK
    masked[0, 2] = 7777
    masked[1, 1] = MASK
    stats = masking_statistics(ids, masked, labels, special, MASK)
    assert stats.candidates == 6
    assert stats.selected == pytest.approx(4 / 6)
    assert stats.to_mask == pytest.approx(2 / 4)
    assert stats.to_random == pytest.approx(1 / 4)
    assert stats.unchanged == pytest.approx(1 / 4)
    assert stats.special_selected == 0 and stats.unselected_changed == 0
    assert sum(list(stats.as_row().values())[1:]) == pytest.approx(1.0)


def test_masking_statistics_reports_selected_padding_and_silent_changes():
    ids, special = _batch()
    masked, labels = ids.clone(), torch.full_like(ids, -100)
    labels[0, 7] = 0  # padding selected
    masked[1, 2] = MASK  # changed without a label
    stats = masking_statistics(ids, masked, labels, special, MASK)
    assert stats.special_selected == 1
    assert stats.unselected_changed == 1


def test_masking_statistics_rejects_mismatched_shapes():
    ids, special = _batch()
    with pytest.raises(BertCourseError, match="different shapes"):
        masking_statistics(ids, ids[:, :4], ids, special, MASK)
    with pytest.raises(BertCourseError, match="batch"):
        masking_statistics(ids[0], ids[0], ids[0], special[0], MASK)


def test_library_collator_matches_the_bert_proportions():
    """The statistics reproduce BERT's 15 % / 80-10-10 on the library's own masking."""
    from transformers import DataCollatorForLanguageModeling

    tokenizer = bc.load_tokenizer()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, len(tokenizer), (400, 64), generator=generator)
    ids[:, 0], ids[:, -1] = tokenizer.cls_token_id, tokenizer.sep_token_id
    special = torch.isin(ids, torch.tensor(tokenizer.all_special_ids)).long()
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, seed=0)
    masked, labels = collator.torch_mask_tokens(ids.clone(), special_tokens_mask=special.clone())
    stats = masking_statistics(ids, masked, labels, special, tokenizer.mask_token_id)
    assert stats.selected == pytest.approx(0.15, abs=0.01)
    assert stats.to_mask == pytest.approx(0.8, abs=0.03)
    assert stats.to_random == pytest.approx(0.1, abs=0.025)
    assert stats.unchanged == pytest.approx(0.1, abs=0.025)
    assert stats.special_selected == 0 and stats.unselected_changed == 0


@pytest.mark.parametrize(
    ("task", "kwargs", "expected"),
    [
        ("encoder", {}, set()),
        ("sequence-classification", {"num_labels": 5}, {"classifier.weight", "classifier.bias"}),
        ("token-classification", {"num_labels": 9}, {"classifier.weight", "classifier.bias"}),
        ("question-answering", {}, {"qa_outputs.weight", "qa_outputs.bias"}),
    ],
)
def test_head_parameters_lists_what_the_head_adds(task, kwargs, expected):
    model = bc.load_model(task=task, **kwargs)
    head = head_parameters(model)
    assert set(head) == expected
    outputs = {"sequence-classification": 5, "token-classification": 9, "question-answering": 2}
    if task != "encoder":
        width = model.config.hidden_size
        assert sum(head.values()) == (width + 1) * outputs[task]
        assert bc.count_parameters(model) == bc.count_parameters(model.base_model) + sum(
            head.values()
        )


def test_head_parameters_skips_tied_weights():
    """A decoder tied to the word embeddings belongs to the encoder, not the head."""
    from transformers import BertConfig, BertForMaskedLM

    config = BertConfig(
        vocab_size=50,
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=16,
        tie_word_embeddings=True,
    )
    model = BertForMaskedLM(config)
    assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
    head = head_parameters(model)
    assert "cls.predictions.decoder.weight" not in head
    assert sum(head.values()) == 8 * 8 + 8 + 8 + 8 + 50  # transform dense, LayerNorm, bias
    assert bc.count_parameters(model) == bc.count_parameters(model.base_model) + sum(head.values())


def test_plot_similarity_matrix_draws_one_cell_per_pair():
    matrix = np.array([[1.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.0]])
    ax = plot_similarity_matrix(torch.tensor(matrix), ["a", "b", "a very long label " * 4])
    assert len(ax.texts) == 9
    assert ax.get_images()[0].get_array().shape == (3, 3)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[:2] == ["a", "b"] and labels[2].endswith("…") and len(labels[2]) == 32
    matplotlib.pyplot.close("all")


def test_plot_similarity_matrix_rejects_bad_shapes():
    with pytest.raises(BertCourseError, match="square"):
        plot_similarity_matrix(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(BertCourseError, match="one label per row"):
        plot_similarity_matrix(np.zeros((2, 2)), ["a"])
