"""torchvision's nn.MultiheadAttention run by hand, so that its attention probabilities are values autograd reaches.

Used by make_attention.py and make_deit.py: `replace(model.encoder.layers, attention)` makes every block append its
attention, [batch, heads, T, T], to the list `attention` at each forward pass; the outputs are unchanged.
"""
import math

import torch


def by_hand(mha, attention):
    def forward(query, key, value, need_weights=False):
        batch, tokens, width = query.shape
        heads = mha.num_heads
        q, k, v = torch.nn.functional.linear(query, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.reshape(batch, tokens, heads, width // heads).transpose(1, 2) for t in (q, k, v))
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(width // heads), dim=-1)
        attention.append(a)
        return mha.out_proj((a @ v).transpose(1, 2).reshape(batch, tokens, width)), None
    return forward


def replace(layers, attention):
    for layer in layers:
        layer.self_attention.forward = by_hand(layer.self_attention, attention)
