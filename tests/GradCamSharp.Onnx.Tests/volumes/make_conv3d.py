#!/usr/bin/python3
"""A small 3-D CNN exported to ONNX, with the pytorch-grad-cam library's own CAM maps of it: the reference for the
volume maps (methods on [N, C, D, H, W] layers).

Debian 12: apt-get install --no-install-recommends python3-torch python3-onnx python3-opencv python3-scipy
Run from this folder, with a checkout of pytorch-grad-cam: /usr/bin/python3 make_conv3d.py /path/to/pytorch-grad-cam

Conv3d (1 -> 4), ReLU, Conv3d (4 -> 6, stride 2), ReLU, a 1x1x1 Conv3d and Tanh, global average pooling and a linear
layer to 3 classes; random weights, opset 14; input [1, 1, 12, 10, 8], a smooth pattern. The layer is the second ReLU
(features.3). For each method and each class, the library's map at the layer before its scaling (the ReLU of
get_cam_image, as compute_cam_per_layer takes it) and, for Grad-CAM, its map at the input's size (min-max scaled, then
scipy's zoom: a cubic spline, where GradCamSharp upsamples trilinearly).
"""
import json
import sys
import types

sys.path.insert(0, sys.argv[1])
try:
    import ttach  # noqa: F401
except ImportError:
    sys.modules["ttach"] = types.SimpleNamespace(Compose=lambda transforms: None, HorizontalFlip=lambda: None,
                                                 Multiply=lambda factors: None)
import numpy as np
import torch
from pytorch_grad_cam import GradCAM, HiResCAM, LayerCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

torch.manual_seed(31)
features = torch.nn.Sequential(torch.nn.Conv3d(1, 4, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv3d(4, 6, 3, stride=2, padding=1), torch.nn.ReLU())
model = torch.nn.Sequential()
model.add_module("features", features)
model.add_module("mix", torch.nn.Conv3d(6, 6, 1))
model.add_module("tanh", torch.nn.Tanh())
model.add_module("pool", torch.nn.AdaptiveAvgPool3d(1))
model.add_module("flatten", torch.nn.Flatten())
model.add_module("fc", torch.nn.Linear(6, 3))
model.eval()

d, h, w = torch.meshgrid(torch.arange(12.0), torch.arange(10.0), torch.arange(8.0), indexing="ij")
x = (torch.sin(0.5 * d) * torch.cos(0.4 * h) + torch.sin(0.3 * w + 0.2 * d)).float()[None, None]
torch.onnx.export(model, x, "conv3d_tiny.onnx", opset_version=14, input_names=["volume"], output_names=["logits"])

layer = model.features[3]
raw, scaled = {}, {}
# Not Grad-CAM++ or XGrad-CAM: the library sums their activations over axes (2, 3) only, which for a volume map leaves
# the width unsummed (and broadcast against the weights); GradCamSharp sums over every axis of the map.
for name, method in [("gradcam", GradCAM), ("hirescam", HiResCAM), ("layercam", LayerCAM)]:
    for category in (0, 1, 2):
        targets = [ClassifierOutputTarget(category)]
        with method(model=model, target_layers=[layer]) as cam:
            outputs = cam.activations_and_grads(x)
            model.zero_grad()
            sum(t(o) for t, o in zip(targets, outputs)).backward(retain_graph=True)
            # As compute_cam_per_layer hands them on: NumPy arrays.
            activations = cam.activations_and_grads.activations[0].cpu().data.numpy()
            gradients = cam.activations_and_grads.gradients[0].cpu().data.numpy()
            layer_map = np.maximum(cam.get_cam_image(x, layer, targets, activations, gradients, False), 0)
            raw[f"{name} {category}"] = [float(f"{v:.7g}") for v in layer_map[0].flatten()]
            if name == "gradcam":
                at_input = cam(input_tensor=x, targets=targets)[0]
                scaled[f"{category}"] = [float(f"{v:.6g}") for v in at_input.flatten()]
json.dump({"layer_module": "features.3", "layer_shape": list(activations.shape), "raw": raw,
           "gradcam_at_input": scaled}, open("conv3d_tiny.json", "w"))
print("layer", list(activations.shape), "logits", model(x).detach().numpy().round(3).tolist())
