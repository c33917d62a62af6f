#!/usr/bin/python3
"""Makes the tiny torchvision ViT fixture and PyTorch's own Grad-CAM of it, the reference the import must match.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision python3-onnx
Run from this folder: /usr/bin/python3 make_vit.py

torchvision's VisionTransformer (2 blocks, width 32, 2 heads, 16x16 patches of a 64x64 input: 16 patch tokens behind
a class token), random weights with the head initialised (torchvision zero-initialises it, which makes every gradient
zero), exported by torch.onnx.export at opset 14. The reference is Grad-CAM computed the way pytorch-grad-cam computes
it with the reshape transform its documentation gives for ViT (drop the class token, fold the tokens into 4x4,
channels first): at the last block's first norm (ln_1), weights = the spatial mean of the gradient, map =
relu(sum_k w_k A_k), for every class, before upsampling or normalisation.
"""
import json
import math

import torch
import torchvision

torch.manual_seed(29)
model = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=2, num_heads=2,
                                             hidden_dim=32, mlp_dim=64, num_classes=5)
torch.nn.init.normal_(model.heads.head.weight, std=0.5)
torch.nn.init.normal_(model.heads.head.bias, std=0.1)
model.eval()

# The input both sides compute: x[i] = 0.5 sin(0.37 i) over the flat [1, 3, 64, 64] index.
x = (0.5 * torch.sin(0.37 * torch.arange(3 * 64 * 64, dtype=torch.float64))).float().reshape(1, 3, 64, 64)

torch.onnx.export(model, x, "vit_tiny.onnx", opset_version=14, input_names=["input"], output_names=["logits"],
                  do_constant_folding=True)

captured = {}
layer = model.encoder.layers[-1].ln_1
layer.register_forward_hook(lambda module, inputs, output: captured.__setitem__("a", output))
maps = []
for target in range(5):
    logits = model(x)
    activations = captured["a"]
    gradient, = torch.autograd.grad(logits[0, target], activations)
    # pytorch-grad-cam's reshape_transform for ViT: tokens [1, 17, 32] -> [1, 32, 4, 4] without the class token.
    a = activations[:, 1:, :].reshape(1, 4, 4, 32).permute(0, 3, 1, 2)
    g = gradient[:, 1:, :].reshape(1, 4, 4, 32).permute(0, 3, 1, 2)
    weights = g.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * a).sum(dim=1))[0]
    maps.append([round(float(v), 7) for v in cam.flatten()])

with torch.no_grad():
    logits = model(x)[0].tolist()
json.dump({"layer_module": "encoder.layers.encoder_layer_1.ln_1", "grid": [4, 4], "skipped": 1,
           "logits": [round(v, 6) for v in logits], "gradcam": maps}, open("vit_tiny_gradcam.json", "w"), indent=1)
print("logits", [round(v, 4) for v in logits])

# torchvision's Swin in miniature (patch 4, width 16, one block in each of two stages, windows of 4x4), at opset 17:
# torch writes its attention dropout as Dropout with training_mode true and ratio 0.
from torchvision.models.swin_transformer import SwinTransformer

torch.manual_seed(1)
swin = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[1, 1], num_heads=[1, 2], window_size=[4, 4],
                       stochastic_depth_prob=0.0, num_classes=5)
swin.eval()
torch.onnx.export(swin, torch.randn(1, 3, 32, 32), "swin_tiny.onnx", opset_version=17, input_names=["input"],
                  output_names=["logits"])
