"""Export the model's transformer to ONNX with torch, and check the export before use.

The check runs the whole fast path (the `tokenizers` library, ONNX Runtime, pooling in
numpy) against sentence-transformers on probe texts: short, accented, mojibake, and
longer than the model's 256 word pieces, alone and padded in one batch. A copy that
does not give the vectors the store was built with is never used.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

import numpy as np

from index.model_dir import ModelDir

log = logging.getLogger(__name__)

# 1 - cosine against sentence-transformers that an export may not exceed. Measured on
# all-MiniLM-L6-v2 in float32: about 1e-7; the store tolerates 1e-3.
EXPORT_TOLERANCE = 1e-5
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")

PROBES = (
    "Who was arrested after the robbery on Portage Avenue?",
    "CAFÉ naïve — “Ã©” Façade C19-255700 R17-20087 ½ 東京",
    "",
    " ".join(["The Major Crimes Unit continues to investigate the assault."] * 40),
)


class ExportError(Exception):
    """The model could not be exported, or its export does not match."""


def export_onnx(model: ModelDir, target: Path) -> dict:
    """Write `target` (model.onnx, its weights beside it in model.onnx.data) from the
    model's weights; return what the check found.

    Imports torch and transformers (seconds): done once per model and machine.
    """
    started = time.perf_counter()
    raw = target.with_name(f"raw-{target.name}")
    export_raw(model, raw)
    optimize(raw, target)
    raw.unlink()
    log.info("exported %s to ONNX in %.1fs", model.path, time.perf_counter() - started)
    return check_export(model, target)


def export_raw(model: ModelDir, target: Path) -> None:
    """Trace the transformer to plain ONNX operators (what any ONNX runtime reads)."""
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ExportError(f"exporting needs torch and transformers: {exc}") from exc
    try:
        import onnx  # noqa: F401 (the exporter needs it; say so before tracing)
    except ImportError as exc:
        raise ExportError("exporting needs the 'onnx' package") from exc

    hf_logging.disable_progress_bar()
    # Eager attention traces to plain ONNX ops; the mask is traced with padding present
    # so that it stays in the graph.
    transformer = AutoModel.from_pretrained(
        str(model.transformer), attn_implementation="eager", local_files_only=True
    ).eval()
    wrapped = _hidden_module(transformer, torch)
    ids = torch.tensor([[5, 6, 7, 8], [5, 6, 7, 0]], dtype=torch.long)  # any ids; one padded
    sample = (ids, (ids != 0).long(), torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and deprecation notes, not news to a user
        try:
            torch.onnx.export(
                wrapped,
                sample,
                str(target),
                dynamo=False,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
            )
        except Exception as exc:  # any tracer or exporter failure: this model stays on torch
            raise ExportError(f"torch could not export the model: {exc}") from exc


def optimize(raw: Path, target: Path) -> None:
    """Save ONNX Runtime's portable graph optimisations (fused attention, layer norms,
    GELU) with the weights in a separate file: loading that takes half the time."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_file_name", f"{target.name}.data"
    )
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_min_size_in_bytes", "1024"
    )
    try:
        onnxruntime.InferenceSession(str(raw), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ExportError(f"ONNX Runtime could not optimise the export: {exc}") from exc


def check_export(model: ModelDir, onnx_file: Path) -> dict:
    """Compare the fast path with sentence-transformers on the probes (word pieces and
    vectors); ExportError if they differ."""
    from index.onnx_encoder import OnnxEncoder
    from index.torch_encoder import TorchEncoder

    fast, slow = OnnxEncoder(model, onnx_file), TorchEncoder(model)
    # Chunks are cut by this count: a tokenizer that counted otherwise would re-chunk.
    if [fast.count_tokens(t) for t in PROBES] != [slow.count_tokens(t) for t in PROBES]:
        raise ExportError("the tokenizers library counts word pieces otherwise than the model")
    reference = slow.encode(list(PROBES))
    batched = fast.encode(list(PROBES))
    alone = np.concatenate([fast.encode([text]) for text in PROBES])
    gap = float(max(_gap(reference, batched).max(), _gap(reference, alone).max()))
    if not gap <= EXPORT_TOLERANCE:
        raise ExportError(f"the ONNX export differs from the model: 1 - cosine {gap:.2e}")
    return {"probe": PROBES[0], "vector": reference[0].tolist(), "max_gap": gap}


def _gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 1.0 - (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _hidden_module(transformer, torch):
    """The transformer as a module of positional tensors returning the token vectors."""

    class Hidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    return Hidden().eval()
