"""Reference imputations for NoisyLinearImputation: pytorch-grad-cam's own NoisyLinearImputer (scipy's spsolve).

Needs Debian's python3-torch and python3-scipy, and a checkout of jacobgil/pytorch-grad-cam:
    PYTHONPATH=/path/to/pytorch-grad-cam /usr/bin/python3 make_imputation.py > imputation_scipy.json
OpenCV, which the module imports for a threshold it does not use here, is stubbed out, and so is the package's
__init__ (it imports every method and their dependencies): only metrics/road.py and perturbation_confidence.py run.
Noise 0: the linear part.
"""
import json
import os
import sys
import types

sys.modules.setdefault("cv2", types.ModuleType("cv2"))
for package in ("pytorch_grad_cam", "pytorch_grad_cam.metrics"):
    stub = types.ModuleType(package)
    stub.__path__ = [os.path.join(p, *package.split(".")) for p in sys.path if p and os.path.isdir(
        os.path.join(p, *package.split(".")))]
    sys.modules[package] = stub

import numpy as np  # noqa: E402
import torch  # noqa: E402
from pytorch_grad_cam.metrics.road import NoisyLinearImputer  # noqa: E402

rng = np.random.default_rng(11)
cases = []
for channels, height, width, share in [(3, 12, 10, 0.3), (1, 9, 9, 0.7), (2, 16, 7, 0.9)]:
    image = rng.normal(size=(channels, height, width)).round(4)
    kept = (rng.random((height, width)) >= share).astype(np.float32)
    filled = NoisyLinearImputer(noise=0.0)(torch.tensor(image, dtype=torch.float32), torch.tensor(kept))
    cases.append({"shape": [channels, height, width], "image": image.ravel().tolist(),
                  "kept": kept.ravel().tolist(), "filled": filled.numpy().astype(float).ravel().tolist()})
print(json.dumps(cases))
