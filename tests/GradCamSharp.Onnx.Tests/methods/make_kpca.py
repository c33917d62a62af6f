"""Reference projections for KpcaCam: scikit-learn's KernelPCA, as pytorch-grad-cam's KPCA-CAM calls it.

Run with Debian's python3-sklearn (apt-get install python3-sklearn):
    /usr/bin/python3 make_kpca.py > kpca_sklearn.json
Each case: activations [K, h, w] (row-major), and the first kernel principal component of the positions (rows),
centred over the positions, with the sigmoid kernel at scikit-learn's defaults (gamma = 1 / K, coef0 = 1).
"""
import json

import numpy as np
from sklearn.decomposition import KernelPCA

rng = np.random.default_rng(3)
cases = []
for channels, height, width in [(5, 3, 4), (8, 4, 4), (16, 5, 5)]:
    activations = rng.normal(size=(channels, height, width)).round(6)
    rows = activations.reshape(channels, -1).T
    rows = rows - rows.mean(axis=0)
    projection = KernelPCA(n_components=1, kernel="sigmoid").fit_transform(rows).reshape(height, width)
    cases.append({"shape": [channels, height, width], "activations": activations.ravel().tolist(),
                  "projection": projection.ravel().tolist()})
print(json.dumps(cases))
