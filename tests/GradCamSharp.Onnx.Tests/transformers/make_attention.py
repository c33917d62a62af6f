#!/usr/bin/python3
"""PyTorch's attention rollout and attention relevance of the tiny torchvision ViT (vit_tiny.onnx), the reference the
attention methods must match on a real export.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision
Run from this folder after make_vit.py: /usr/bin/python3 make_attention.py

The model is make_vit.py's, rebuilt from the same seed (its logits are checked against vit_tiny_gradcam.json). Each
block's nn.MultiheadAttention is run by hand (in-projection, softmax(q k^T / sqrt(d)), out-projection), with the same
output, so that its attention probabilities A, [1, heads, T, T], are values whose gradient autograd gives. Then, as
the papers define them:
- rollout (Abnar and Zuidema 2020): the product over blocks, last on the left, of mean_h(A) + I, rows normalised;
- relevance (Chefer, Gur and Wolf 2021, self-attention): R = I, then per block R = R + mean_h((dy/dA * A)+) R.
The map is the class token's row over the 16 patch tokens (a 4x4 grid).
"""
import json
import torch
import torchvision

import attention_by_hand

torch.manual_seed(29)
model = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=2, num_heads=2,
                                             hidden_dim=32, mlp_dim=64, num_classes=5)
torch.nn.init.normal_(model.heads.head.weight, std=0.5)
torch.nn.init.normal_(model.heads.head.bias, std=0.1)
model.eval()
x = (0.5 * torch.sin(0.37 * torch.arange(3 * 64 * 64, dtype=torch.float64))).float().reshape(1, 3, 64, 64)
golden = json.load(open("vit_tiny_gradcam.json"))
with torch.no_grad():
    plain = model(x)[0]
assert max(abs(a - b) for a, b in zip(plain.tolist(), golden["logits"])) < 1e-5, "not make_vit.py's model"

attention = []


attention_by_hand.replace(model.encoder.layers, attention)


def run():
    attention.clear()
    return model(x)[0]


logits = run()
assert (logits - plain).abs().max() < 1e-5, "the attention by hand differs from nn.MultiheadAttention"
tokens = attention[0].shape[-1]
eye = torch.eye(tokens)

with torch.no_grad():
    rollout = eye
    for a in attention:
        mixed = a[0].mean(0) + eye
        rollout = (mixed / mixed.sum(-1, keepdim=True)) @ rollout

relevance = []
for target in range(5):
    logits = run()
    gradients = torch.autograd.grad(logits[target], attention)
    r = eye
    for a, g in zip(attention, gradients):
        r = r + (g[0] * a[0]).clamp(min=0).mean(0) @ r
    relevance.append([round(float(v), 7) for v in r[0, 1:]])

json.dump({"rollout": [round(float(v), 7) for v in rollout[0, 1:]], "relevance": relevance},
          open("vit_tiny_attention.json", "w"), indent=1)
print("rollout", [round(float(v), 4) for v in rollout[0, 1:]])
