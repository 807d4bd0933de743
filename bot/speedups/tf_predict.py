"""Run DIET's prediction graph through its one concrete function, without TensorFlow's dispatch.

``RasaModel._rasa_predict`` calls a ``tf.function`` made with a fixed input signature, so it only
ever has one concrete function. Each call still goes through the polymorphic function's dispatch:
the inputs are canonicalised against the signature, a cache key is made from them, and the
concrete function checks the structured arguments again before it runs the graph. Under load
(``make bench-load``, py-spy on the Rasa server) that dispatch took 18% of Rasa's busy time, more
than the graph itself (14%).

After the first call (which builds and traces the function as Rasa does), the concrete function is
kept and called with the batch's arrays as tensors of the signature's dtypes. A batch whose
arrays do not fit the signature (another count, rank or last dimension) goes the usual way. The
outputs are the same tensors, turned into numpy as Rasa does (``sync_to_numpy_or_python_type``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow import models

_rasa_predict = models.RasaModel._rasa_predict


def _fits(specs: list[tf.TensorSpec], batch_in: tuple[np.ndarray, ...]) -> bool:
    return len(specs) == len(batch_in) and all(
        spec.shape.is_compatible_with(np.shape(array)) for spec, array in zip(specs, batch_in, strict=True))


def _predict(self: models.RasaModel, batch_in: tuple[np.ndarray, ...]) -> dict[str, Any]:
    concrete = getattr(self, "_tutor_concrete", None)
    if concrete is None or self._run_eagerly or not _fits(concrete[1], batch_in):
        outputs = _rasa_predict(self, batch_in)
        if concrete is None and not self._run_eagerly and self._tf_predict_step is not None:
            function = self._tf_predict_step.get_concrete_function()
            self._tutor_concrete = (function, tf.nest.flatten(function.structured_input_signature))
        return outputs
    function, specs = concrete
    self._training = False
    tensors = [tf.convert_to_tensor(array, dtype=spec.dtype)
               for spec, array in zip(specs, batch_in, strict=True)]
    outputs = tf_utils.sync_to_numpy_or_python_type(
        function._call_flat(tensors, function.captured_inputs))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


models.RasaModel._rasa_predict = _predict  # type: ignore[method-assign]
