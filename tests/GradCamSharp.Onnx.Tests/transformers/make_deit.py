#!/usr/bin/python3
"""A DeiT-style ViT (a class token and a distillation token in front of the patches) in miniature, exported to ONNX,
with PyTorch's own Grad-CAM, attention rollout and attention relevance of it: the references for two leading tokens.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision python3-onnx
Run from this folder: /usr/bin/python3 make_deit.py

torchvision's VisionTransformer (2 blocks, width 32, 2 heads, 16x16 patches of a 64x64 input) with DeiT's second
token (Touvron et al., 2021): the encoder reads [class, distillation, 16 patches], and the logits are the mean of a head
on the class token and a head on the distillation token. Random weights, exported at opset 14 by torch.onnx.export.
Grad-CAM as pytorch-grad-cam computes it at the last block's first norm with the reshape its users write for DeiT (drop
both leading tokens, fold 16 tokens into 4x4, channels first); rollout and relevance as in make_attention.py, on the
class token's row.
"""
import json
import torch
import torchvision

import attention_by_hand
from torchvision.models.vision_transformer import Encoder


class DeiT(torchvision.models.VisionTransformer):
    def __init__(self):
        super().__init__(image_size=64, patch_size=16, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64,
                         num_classes=5)
        self.dist_token = torch.nn.Parameter(0.5 * torch.randn(1, 1, 32))
        self.encoder = Encoder(16 + 2, 2, 2, 32, 64, 0.0, 0.0)
        self.head_dist = torch.nn.Linear(32, 5)

    def forward(self, x):
        x = self._process_input(x)
        n = x.shape[0]
        x = torch.cat([self.class_token.expand(n, -1, -1), self.dist_token.expand(n, -1, -1), x], dim=1)
        x = self.encoder(x)
        return (self.heads(x[:, 0]) + self.head_dist(x[:, 1])) / 2


torch.manual_seed(34)
model = DeiT()
torch.nn.init.normal_(model.heads.head.weight, std=0.5)
torch.nn.init.normal_(model.class_token, std=0.5)
model.eval()
x = (0.5 * torch.sin(0.37 * torch.arange(3 * 64 * 64, dtype=torch.float64))).float().reshape(1, 3, 64, 64)
torch.onnx.export(model, x, "deit_tiny.onnx", opset_version=14, input_names=["input"], output_names=["logits"],
                  do_constant_folding=True)

captured = {}
model.encoder.layers[-1].ln_1.register_forward_hook(lambda m, i, o: captured.__setitem__("a", o))
attention = []


with torch.no_grad():
    plain = model(x)[0]
attention_by_hand.replace(model.encoder.layers, attention)

gradcam, relevance = [], []
eye = torch.eye(18)
for target in range(5):
    attention.clear()
    logits = model(x)[0]
    assert (logits - plain).abs().max() < 1e-5, "the attention by hand differs from nn.MultiheadAttention"
    a = captured["a"]
    grads = torch.autograd.grad(logits[target], [a, *attention])
    fold = lambda t: t[:, 2:, :].reshape(1, 4, 4, 32).permute(0, 3, 1, 2)
    weights = fold(grads[0]).mean(dim=(2, 3), keepdim=True)
    gradcam.append([round(float(v), 7) for v in torch.relu((weights * fold(a)).sum(dim=1))[0].flatten()])
    r = eye
    for att, g in zip(attention, grads[1:]):
        r = r + (g[0] * att[0]).clamp(min=0).mean(0) @ r
    relevance.append([round(float(v), 7) for v in r[0, 2:]])

with torch.no_grad():
    rollout = eye
    for att in attention:
        mixed = att[0].mean(0) + eye
        rollout = (mixed / mixed.sum(-1, keepdim=True)) @ rollout

json.dump({"logits": [round(float(v), 6) for v in plain], "grid": [4, 4], "skipped": 2, "gradcam": gradcam,
           "rollout": [round(float(v), 7) for v in rollout[0, 2:]], "relevance": relevance},
          open("deit_tiny.json", "w"), indent=1)
print("logits", [round(float(v), 4) for v in plain])
