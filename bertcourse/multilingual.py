"""Parallel sentences in seven languages, and the multilingual tokenizers lesson 07 measures.

:data:`PARALLEL_SENTENCES` holds twelve short sentences written for the course (no
outside source), each translated into French, German, Spanish (Latin script with
accents), Russian (Cyrillic), Greek (Greek script with accents) and Hindi (Devanagari,
whose vowel signs are combining marks). The ``i``-th sentence of every language says
the same thing, so the number of tokens a tokenizer needs for one language's sentences
compares fairly with another's.

:func:`multilingual_tokenizers` returns the multilingual tokenizers that can run here:
the pre-trained checkpoints of :data:`MULTILINGUAL_CHECKPOINTS` where the Hugging Face
Hub (or the local cache) serves them, and always a small cased WordPiece tokenizer
trained on some of the sentences (:func:`split_sentences`): a stand-in that shows the
mechanism, not a pre-trained multilingual vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bertcourse.exceptions import VariantError

#: Language code -> its name and script, in the order the lesson prints them.
LANGUAGES: dict[str, str] = {
    "en": "English (Latin script)",
    "fr": "French (Latin script, accents)",
    "de": "German (Latin script, umlauts)",
    "es": "Spanish (Latin script, accents)",
    "ru": "Russian (Cyrillic script)",
    "el": "Greek (Greek script, accents)",
    "hi": "Hindi (Devanagari script)",
}

#: Twelve sentences per language; the i-th of each language translates the i-th English one.
PARALLEL_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "The soup was warm and the staff were kind.",
        "We waited forty minutes for a cold pizza.",
        "My sister lives in a small village near the sea.",
        "The train to the city leaves every morning at seven.",
        "The film is long, but the music is beautiful.",
        "The children are reading books in the library.",
        "It rained all day, so we stayed at home.",
        "The doctor said that I should drink more water.",
        "Our teacher explains difficult ideas very clearly.",
        "The new bridge was built in two years.",
        "He bought fresh bread and cheese at the market.",
        "Please close the window before you leave.",
    ),
    "fr": (
        "La soupe était chaude et le personnel était aimable.",
        "Nous avons attendu quarante minutes pour une pizza froide.",
        "Ma sœur habite dans un petit village près de la mer.",
        "Le train pour la ville part chaque matin à sept heures.",
        "Le film est long, mais la musique est belle.",
        "Les enfants lisent des livres à la bibliothèque.",
        "Il a plu toute la journée, alors nous sommes restés à la maison.",
        "Le médecin a dit que je devrais boire plus d'eau.",
        "Notre professeur explique très clairement les idées difficiles.",
        "Le nouveau pont a été construit en deux ans.",
        "Il a acheté du pain frais et du fromage au marché.",
        "Fermez la fenêtre avant de partir, s'il vous plaît.",
    ),
    "de": (
        "Die Suppe war warm und das Personal war freundlich.",
        "Wir haben vierzig Minuten auf eine kalte Pizza gewartet.",
        "Meine Schwester wohnt in einem kleinen Dorf am Meer.",
        "Der Zug in die Stadt fährt jeden Morgen um sieben Uhr ab.",
        "Der Film ist lang, aber die Musik ist schön.",
        "Die Kinder lesen Bücher in der Bibliothek.",
        "Es hat den ganzen Tag geregnet, also sind wir zu Hause geblieben.",
        "Der Arzt sagte, dass ich mehr Wasser trinken sollte.",
        "Unser Lehrer erklärt schwierige Ideen sehr deutlich.",
        "Die neue Brücke wurde in zwei Jahren gebaut.",
        "Er kaufte frisches Brot und Käse auf dem Markt.",
        "Bitte schließen Sie das Fenster, bevor Sie gehen.",
    ),
    "es": (
        "La sopa estaba caliente y el personal era amable.",
        "Esperamos cuarenta minutos por una pizza fría.",
        "Mi hermana vive en un pueblo pequeño cerca del mar.",
        "El tren a la ciudad sale cada mañana a las siete.",
        "La película es larga, pero la música es hermosa.",
        "Los niños leen libros en la biblioteca.",
        "Llovió todo el día, así que nos quedamos en casa.",
        "El médico dijo que debería beber más agua.",
        "Nuestro profesor explica ideas difíciles con mucha claridad.",
        "El puente nuevo se construyó en dos años.",
        "Compró pan fresco y queso en el mercado.",
        "Por favor, cierra la ventana antes de salir.",
    ),
    "ru": (
        "Суп был тёплым, и персонал был приветливым.",
        "Мы ждали холодную пиццу сорок минут.",
        "Моя сестра живёт в маленькой деревне у моря.",
        "Поезд в город уходит каждое утро в семь часов.",
        "Фильм длинный, но музыка красивая.",
        "Дети читают книги в библиотеке.",
        "Весь день шёл дождь, поэтому мы остались дома.",
        "Врач сказал, что мне нужно пить больше воды.",
        "Наш учитель очень ясно объясняет сложные идеи.",
        "Новый мост построили за два года.",
        "Он купил свежий хлеб и сыр на рынке.",
        "Пожалуйста, закройте окно перед уходом.",
    ),
    "el": (
        "Η σούπα ήταν ζεστή και το προσωπικό ήταν ευγενικό.",
        "Περιμέναμε σαράντα λεπτά για μια κρύα πίτσα.",
        "Η αδερφή μου μένει σε ένα μικρό χωριό κοντά στη θάλασσα.",
        "Το τρένο για την πόλη φεύγει κάθε πρωί στις επτά.",
        "Η ταινία είναι μεγάλη, αλλά η μουσική είναι όμορφη.",
        "Τα παιδιά διαβάζουν βιβλία στη βιβλιοθήκη.",
        "Έβρεχε όλη μέρα, γι' αυτό μείναμε στο σπίτι.",
        "Ο γιατρός είπε ότι πρέπει να πίνω περισσότερο νερό.",
        "Ο δάσκαλός μας εξηγεί πολύ καθαρά δύσκολες ιδέες.",
        "Η καινούργια γέφυρα χτίστηκε σε δύο χρόνια.",
        "Αγόρασε φρέσκο ψωμί και τυρί στην αγορά.",
        "Παρακαλώ κλείστε το παράθυρο πριν φύγετε.",
    ),
    "hi": (
        "सूप गरम था और कर्मचारी दयालु थे।",
        "हमने एक ठंडे पिज़्ज़ा के लिए चालीस मिनट इंतज़ार किया।",
        "मेरी बहन समुद्र के पास एक छोटे गाँव में रहती है।",
        "शहर जाने वाली ट्रेन हर सुबह सात बजे निकलती है।",
        "फ़िल्म लंबी है, लेकिन संगीत सुंदर है।",
        "बच्चे पुस्तकालय में किताबें पढ़ रहे हैं।",
        "पूरे दिन बारिश हुई, इसलिए हम घर पर रहे।",
        "डॉक्टर ने कहा कि मुझे ज़्यादा पानी पीना चाहिए।",
        "हमारे शिक्षक कठिन विचारों को बहुत साफ़ समझाते हैं।",
        "नया पुल दो साल में बना।",
        "उसने बाज़ार से ताज़ा ब्रेड और पनीर खरीदा।",
        "कृपया जाने से पहले खिड़की बंद कर दीजिए।",
    ),
}

#: Pre-trained multilingual checkpoints whose tokenizers the lesson loads where it can:
#: mBERT (WordPiece, cased, 104 languages) and XLM-R (SentencePiece Unigram, 100 languages).
MULTILINGUAL_CHECKPOINTS: tuple[str, ...] = ("bert-base-multilingual-cased", "xlm-roberta-base")

#: Sentences per language the offline stand-in is trained on; the rest are held out.
N_TRAIN = 6

#: Vocabulary size of the stand-in (its training text has a few hundred distinct words).
STAND_IN_VOCAB_SIZE = 1000


def split_sentences(
    n_train: int = N_TRAIN,
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The parallel sentences cut into a training part and a held-out part.

    Args:
        n_train: sentences per language in the training part (the first ``n_train``).

    Returns:
        ``(train, held_out)``: two dicts ``{language: [sentences]}``, still parallel.

    Raises:
        VariantError: when either part would be empty.
    """
    total = len(PARALLEL_SENTENCES["en"])
    if not 0 < n_train < total:
        raise VariantError(f"n_train={n_train}: keep at least one sentence on each side of {total}")
    train = {code: list(sentences[:n_train]) for code, sentences in PARALLEL_SENTENCES.items()}
    held_out = {code: list(sentences[n_train:]) for code, sentences in PARALLEL_SENTENCES.items()}
    return train, held_out


@dataclass
class MultilingualTokenizer:
    """A tokenizer in the lesson's multilingual comparison.

    Attributes:
        name: a checkpoint's Hub name, or a label for the stand-in.
        tokenizer: the Hugging Face tokenizer.
        pretrained: ``True`` for a pre-trained checkpoint's tokenizer; ``False`` for the
            stand-in trained here on the course's training sentences.
        note: what it is, in words (printed by the lesson).
    """

    name: str
    tokenizer: Any
    pretrained: bool
    note: str


def _is_packaged_encoder(tokenizer: Any) -> bool:
    """True when the packaged offline encoder's tokenizer stood in (the Hub failed)."""
    from bertcourse.models import offline_encoder_path

    location = getattr(tokenizer, "name_or_path", "")
    try:
        return Path(location).resolve() == Path(offline_encoder_path()).resolve()
    except (OSError, TypeError):
        return False


def multilingual_tokenizers(
    train_sentences: dict[str, list[str]], *, vocab_size: int = STAND_IN_VOCAB_SIZE
) -> list[MultilingualTokenizer]:
    """The multilingual tokenizers that can run here.

    Each checkpoint of :data:`MULTILINGUAL_CHECKPOINTS` loads through the course's usual
    path (``bc.load_tokenizer``: Hub, then local cache) when it resolves to itself; one
    that would be replaced by the packaged English encoder is left out. The stand-in is
    always there: a cased WordPiece tokenizer (like mBERT's) trained on
    ``train_sentences`` with :func:`bertcourse.variants.train_tokenizer`.

    Args:
        train_sentences: ``{language: [sentences]}`` the stand-in learns its vocabulary from.
        vocab_size: the stand-in's target vocabulary size.

    Returns:
        The checkpoints that loaded, then the stand-in.
    """
    from bertcourse.models import load_tokenizer, resolve_model
    from bertcourse.variants import train_tokenizer

    found = []
    for name in MULTILINGUAL_CHECKPOINTS:
        if resolve_model(name).substituted:
            continue
        tokenizer = load_tokenizer(name)
        if _is_packaged_encoder(tokenizer):  # the Hub failed while loading: not this model
            continue
        found.append(
            MultilingualTokenizer(
                name, tokenizer, True, f"pre-trained checkpoint, {len(tokenizer)} tokens"
            )
        )
    texts = [sentence for sentences in train_sentences.values() for sentence in sentences]
    per_language = min(len(sentences) for sentences in train_sentences.values())
    stand_in = train_tokenizer("wordpiece", texts, vocab_size=vocab_size, lowercase=False)
    found.append(
        MultilingualTokenizer(
            "stand-in: cased WordPiece",
            stand_in,
            False,
            f"NOT a pre-trained checkpoint: trained here on {per_language} sentences per "
            f"language ({len(stand_in)} tokens)",
        )
    )
    return found
