#!/usr/bin/python3
"""Maps made by the pytorch-grad-cam library itself (jacobgil/pytorch-grad-cam), for the tiny ViT and Swin fixtures.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision python3-opencv python3-tqdm
Run from this folder after make_vit.py, with a checkout of pytorch-grad-cam (its package folder on the path):
    /usr/bin/python3 make_library_maps.py /path/to/pytorch-grad-cam

The models are make_vit.py's, rebuilt from the same seeds (their logits are checked against the fixtures' JSON). The
library's GradCAM and LayerCAM run with the reshape transforms its documentation gives: for the ViT, drop the class
token and fold 16 tokens into 4x4, at the last block's first norm (what the automatic layer finds); for torchvision's
Swin, whose blocks are channels-last, move the channels first, at the last block's norm1 (named). The maps are the
library's own output: ReLU, min-max scaled, resized to the input with OpenCV; for classes 0, 2 and 4.
"""
import json
import sys
import types

sys.path.insert(0, sys.argv[1])
if "ttach" not in sys.modules:
    try:
        import ttach  # noqa: F401  (only test-time augmentation uses it)
    except ImportError:
        # A stand-in: the library builds its default augmentations at construction; they run only with aug_smooth.
        sys.modules["ttach"] = types.SimpleNamespace(Compose=lambda transforms: None, HorizontalFlip=lambda: None,
                                                     Multiply=lambda factors: None)

import torch
import torchvision
from torchvision.models.swin_transformer import SwinTransformer
from pytorch_grad_cam import GradCAM, LayerCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget


def vit_reshape(tensor, height=4, width=4):
    result = tensor[:, 1:, :].reshape(tensor.size(0), height, width, tensor.size(2))
    return result.transpose(2, 3).transpose(1, 2)


def swin_reshape(tensor):
    return tensor.permute(0, 3, 1, 2)


def sine(size):
    return (0.5 * torch.sin(0.37 * torch.arange(3 * size * size, dtype=torch.float64))).float().reshape(1, 3, size, size)


torch.manual_seed(29)
vit = torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=2, num_heads=2, hidden_dim=32,
                                           mlp_dim=64, num_classes=5)
torch.nn.init.normal_(vit.heads.head.weight, std=0.5)
torch.nn.init.normal_(vit.heads.head.bias, std=0.1)
vit.eval()
torch.manual_seed(1)
swin = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[1, 1], num_heads=[1, 2], window_size=[4, 4],
                       stochastic_depth_prob=0.0, num_classes=5)
swin.eval()

checks = [(vit, sine(64), "vit_tiny_gradcam.json"), (swin, sine(32), "swin_tiny_gradcam.json")]
for model, x, fixture in checks:
    with torch.no_grad():
        logits = model(x)[0].tolist()
    expected = json.load(open(fixture))["logits"]
    assert max(abs(a - b) for a, b in zip(logits, expected)) < 1e-5, f"not the model of {fixture}"

cases = [("vit_tiny", vit, sine(64), vit.encoder.layers[-1].ln_1, "encoder.layers.encoder_layer_1.ln_1", vit_reshape),
         ("swin_tiny", swin, sine(32), swin.features[3][0].norm1, "features.3.0.norm1", swin_reshape)]
result = {}
for name, model, x, layer, layer_name, reshape in cases:
    maps = {}
    for method, cam_class in [("gradcam", GradCAM), ("layercam", LayerCAM)]:
        with cam_class(model=model, target_layers=[layer], reshape_transform=reshape) as cam:
            maps[method] = {str(c): [round(float(v), 4) for v in cam(input_tensor=x,
                                     targets=[ClassifierOutputTarget(c)])[0].flatten()] for c in (0, 2, 4)}
    result[name] = {"layer": layer_name, "size": list(x.shape[2:]), "maps": maps}
json.dump(result, open("library_maps.json", "w"))
print({k: v["layer"] for k, v in result.items()})
