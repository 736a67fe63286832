"""Models, registered by name: ``model: {name: pointnet, ...}`` in a config picks one.

Every model is a ``torch.nn.Module`` whose constructor takes ``num_classes`` and ``task``
("classification" returns [B, K] logits, "segmentation" [B, P, K]) plus keyword options, the
other keys of the config's ``model:`` section. To add your own model, edit ``my_model.py`` (a
working default), or write ``models/<yours>.py``::

    from . import MODELS

    @MODELS.register("yours")
    class Yours(nn.Module): ...

and set ``model: {name: yours, ...}``: nothing else to edit. Every test in
tests/test_models.py then runs on it.
"""

from ..core.registry import Registry

MODELS = Registry("model", package=__name__)

__all__ = ["MODELS"]
