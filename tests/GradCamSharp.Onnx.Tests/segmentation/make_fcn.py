#!/usr/bin/python3
"""torchvision's FCN and DeepLabV3 in miniature, exported to ONNX, with the pytorch-grad-cam library's own Grad-CAM of
each for
SemanticSegmentationTarget: the reference for segmentation targets and the segmentation model's automatic layer.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision python3-onnx python3-opencv
Run from this folder, with a checkout of pytorch-grad-cam: /usr/bin/python3 make_fcn.py /path/to/pytorch-grad-cam

torchvision.models.segmentation.FCN with a two-stage backbone (conv1, layer1, layer2: 8 then 16 channels, stride 4)
read by IntermediateLayerGetter, and torchvision's FCNHead for 4 classes; its output is upsampled to the input, as
fcn_resnet50's is. Random weights, opset 14. As the library's segmentation tutorial does: the target is
SemanticSegmentationTarget(category, mask) with mask = the pixels the model assigns to the category (argmax), and the
layer is the backbone's last (layer2); for the categories 1 and 3, and for category 2 inside the box x 8..40, y 16..48.
"""
import json
import sys
import types
from collections import OrderedDict

sys.path.insert(0, sys.argv[1])
try:
    import ttach  # noqa: F401
except ImportError:
    sys.modules["ttach"] = types.SimpleNamespace(Compose=lambda transforms: None, HorizontalFlip=lambda: None,
                                                 Multiply=lambda factors: None)
import numpy as np
import torch
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.deeplabv3 import ASPP, DeepLabV3
from torchvision.models.segmentation.fcn import FCN, FCNHead
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import SemanticSegmentationTarget

def backbone():
    layers = OrderedDict(conv1=torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 2, 1), torch.nn.BatchNorm2d(8),
                                                   torch.nn.ReLU()),
                         layer1=torch.nn.Sequential(torch.nn.Conv2d(8, 16, 3, 1, 1), torch.nn.ReLU()),
                         layer2=torch.nn.Sequential(torch.nn.Conv2d(16, 16, 3, 2, 1), torch.nn.ReLU()))
    return IntermediateLayerGetter(torch.nn.Sequential(layers), return_layers={"layer2": "out"})


def initialise(model, classifier):
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(m.weight, 0.5, 1.5)
            torch.nn.init.normal_(m.bias, std=0.2)
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    # A head whose classes share the picture (random heads tend to give one class everywhere).
    torch.nn.init.normal_(classifier.weight, std=1.0)
    torch.nn.init.zeros_(classifier.bias)
    return model.eval()


torch.manual_seed(35)
fcn = FCN(backbone(), FCNHead(16, 4))
initialise(fcn, fcn.classifier[4])
# DeepLabV3 with torchvision's own ASPP (atrous rates 2, 4, 6 for the 16x16 map, 16 channels rather than 256, so that
# the file stays small) in the layout of its DeepLabHead: ASPP, 3x3 convolution, norm, ReLU, 1x1 classifier.
torch.manual_seed(48)  # a seed whose classes all share the picture (so do the FCN's)
deeplab = DeepLabV3(backbone(), torch.nn.Sequential(ASPP(16, [2, 4, 6], 16), torch.nn.Conv2d(16, 16, 3, padding=1,
                    bias=False), torch.nn.BatchNorm2d(16), torch.nn.ReLU(), torch.nn.Conv2d(16, 4, 1)))
initialise(deeplab, deeplab.classifier[4])


class Out(torch.nn.Module):
    """What the library's tutorial wraps a torchvision segmentation model in: its 'out' map."""
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


# A smooth input, so that regions differ: x[c, h, w] = sin(0.11 (c + 1) h) + cos(0.07 (c + 2) w).
c, h, w = torch.meshgrid(torch.arange(3.0), torch.arange(64.0), torch.arange(64.0), indexing="ij")
x = (torch.sin(0.11 * (c + 1) * h) + torch.cos(0.07 * (c + 2) * w)).float().unsqueeze(0)


def reference(model, stem):
    torch.onnx.export(model, x, f"{stem}.onnx", opset_version=14, input_names=["input"], output_names=["out"])
    with torch.no_grad():
        output = model(x)
    predicted = output[0].argmax(0).numpy()
    box = np.zeros((64, 64), dtype=np.float32)
    box[16:48, 8:40] = 1
    cases = [("1", 1, (predicted == 1).astype(np.float32)), ("3", 3, (predicted == 3).astype(np.float32)),
             ("2 in the box", 2, box)]
    maps = {}
    for name, category, mask in cases:
        with GradCAM(model=model, target_layers=[model.model.backbone.layer2]) as cam:
            maps[name] = [round(float(v), 4) for v in cam(input_tensor=x,
                          targets=[SemanticSegmentationTarget(category, mask)])[0].flatten()]
    json.dump({"layer_module": "model.backbone.layer2", "pixels": [int((predicted == c).sum()) for c in range(4)],
               "gradcam": maps}, open(f"{stem}.json", "w"))
    print(stem, "pixels per class", [int((predicted == c).sum()) for c in range(4)])


reference(Out(fcn).eval(), "fcn_tiny")
reference(Out(deeplab).eval(), "deeplab_tiny")
