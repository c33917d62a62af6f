#!/usr/bin/python3
"""PyTorch's own Grad-CAM of the tiny torchvision Swin (swin_tiny.onnx), the reference for channels-last maps.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision
Run from this folder after make_vit.py: /usr/bin/python3 make_swin_gradcam.py

The model is make_vit.py's Swin, rebuilt from the same seed (the test checks the import's logits against the ones
written here). torchvision's Swin blocks are channels-last, [N, H, W, C]: pytorch-grad-cam's users pass a
reshape_transform that moves the channels first. Grad-CAM as pytorch-grad-cam computes it: weights = the spatial mean
of the gradient, map = relu(sum_k w_k A_k), for every class, at the last block's two norms and the final norm.
"""
import json

import torch
from torchvision.models.swin_transformer import SwinTransformer

torch.manual_seed(1)
swin = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[1, 1], num_heads=[1, 2], window_size=[4, 4],
                       stochastic_depth_prob=0.0, num_classes=5)
swin.eval()
x = (0.5 * torch.sin(0.37 * torch.arange(3 * 32 * 32, dtype=torch.float64))).float().reshape(1, 3, 32, 32)

layers = {"features.3.0.norm1": swin.features[3][0].norm1, "features.3.0.norm2": swin.features[3][0].norm2,
          "norm": swin.norm}
captured = {}
for name, module in layers.items():
    module.register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o))

maps = {name: [] for name in layers}
for target in range(5):
    logits = swin(x)
    for name in layers:
        activations = captured[name]
        gradient, = torch.autograd.grad(logits[0, target], activations, retain_graph=True)
        a, g = activations.permute(0, 3, 1, 2), gradient.permute(0, 3, 1, 2)   # the reshape_transform
        cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1))[0]
        maps[name].append([round(float(v), 7) for v in cam.flatten()])

with torch.no_grad():
    logits = swin(x)[0].tolist()
json.dump({"logits": [round(v, 6) for v in logits], "gradcam": maps}, open("swin_tiny_gradcam.json", "w"), indent=1)
print("logits", [round(v, 4) for v in logits])
