#!/usr/bin/python3
"""torchvision's three detector families in miniature (SSD, RetinaNet, Faster R-CNN), exported to ONNX whole, post-
processing included (NonZero, TopK, GatherND, NonMaxSuppression, If, RoiAlign, ScatterElements), with the
pytorch-grad-cam library's own Grad-CAM of their first detection through FasterRCNNBoxScoreTarget: the references for
the import of those operators and for explaining a torchvision detector.

Debian 12: apt-get install --no-install-recommends python3-torch python3-torchvision python3-onnx python3-opencv
Run from this folder, with a checkout of pytorch-grad-cam: /usr/bin/python3 make_detectors.py /path/to/pytorch-grad-cam

Each model is torchvision's own class (torchvision.models.detection.SSD, RetinaNet, FasterRCNN) with its own
transform (normalisation, resize to 64 pixels: identity here), anchors, heads and post-processing, over a two-level
backbone small enough to commit (conv1, layer1 at stride 4 with 8 channels, layer2 at stride 8 with 8 channels);
4 classes, random weights (seeded), opset 11. The input is a smooth pattern with two bright squares. Per model the JSON
holds the detections (boxes, scores, labels) and the library's GradCAM, HiResCAM and LayerCAM at the backbone's layer1
(the last map every detection depends on: the heads read it and layer2, which feeds only the coarser level) for
FasterRCNNBoxScoreTarget(labels=[label 0], bounding_boxes=[the first box of 4 pixels or more, shrunk by
half a pixel]), the library's detection
target (the IoU of the best matching box plus its score), as its Faster R-CNN tutorial explains a detection.
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
import torch
from torchvision.models.detection import RetinaNet, FasterRCNN
from torchvision.models.detection.ssd import SSD
from torchvision.models.detection.anchor_utils import AnchorGenerator, DefaultBoxGenerator
from torchvision.models.detection.faster_rcnn import TwoMLPHead, FastRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign
from pytorch_grad_cam import GradCAM, HiResCAM, LayerCAM
from pytorch_grad_cam.utils.model_targets import FasterRCNNBoxScoreTarget


class Backbone(torch.nn.Module):
    """Two feature maps, as torchvision's detectors read a backbone: an OrderedDict of stride 4 and stride 8."""
    out_channels = 8

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 2, 1), torch.nn.ReLU())
        self.layer1 = torch.nn.Sequential(torch.nn.Conv2d(8, 8, 3, 2, 1), torch.nn.ReLU())
        self.layer2 = torch.nn.Sequential(torch.nn.Conv2d(8, 8, 3, 2, 1), torch.nn.ReLU())

    def forward(self, x):
        first = self.layer1(self.conv1(x))
        return OrderedDict([("0", first), ("1", self.layer2(first))])


def initialise(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.normal_(m.bias, std=0.1)
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, std=0.3)
            torch.nn.init.normal_(m.bias, std=0.1)
    return model.eval()


def build(name):
    torch.manual_seed(7)
    common = dict(image_mean=[0.5, 0.5, 0.5], image_std=[0.25, 0.25, 0.25])
    if name == "ssd":
        backbone = Backbone()
        backbone.out_channels = [8, 8]  # SSD reads one channel count per map
        return initialise(SSD(backbone, DefaultBoxGenerator([[2], [2]]), (64, 64), 4, score_thresh=0.2,
                              detections_per_img=8, topk_candidates=20, **common))
    anchors = AnchorGenerator(sizes=((16,), (32,)), aspect_ratios=((0.5, 1.0, 2.0),) * 2)
    if name == "retinanet":
        return initialise(RetinaNet(Backbone(), 4, min_size=64, max_size=64, anchor_generator=anchors,
                                    score_thresh=0.3, detections_per_img=8, topk_candidates=20, **common))
    return initialise(FasterRCNN(Backbone(), None, min_size=64, max_size=64, rpn_anchor_generator=anchors,
                                 rpn_pre_nms_top_n_test=40, rpn_post_nms_top_n_test=12,
                                 box_roi_pool=MultiScaleRoIAlign(["0", "1"], 4, 2),
                                 box_head=TwoMLPHead(8 * 4 * 4, 16), box_predictor=FastRCNNPredictor(16, 4),
                                 box_score_thresh=0.2, box_detections_per_img=8, **common))


# x[c, h, w] = 0.5 + 0.2 sin(0.2 (c + 1) h) cos(0.15 w), and two bright squares (x 8..24, y 10..26; x 36..56, y 34..54).
c, h, w = torch.meshgrid(torch.arange(3.0), torch.arange(64.0), torch.arange(64.0), indexing="ij")
x = 0.5 + 0.2 * torch.sin(0.2 * (c + 1) * h) * torch.cos(0.15 * w)
x[:, 10:26, 8:24] = 0.95
x[0, 34:54, 36:56] = 0.1
x = x.float().unsqueeze(0)

def without_detach(forward):
    """An ONNX export has no detach: Faster R-CNN's region proposal network detaches its proposals from the graph
    (so that in PyTorch a detection's box gradient stops there), while the exported graph differentiates through them.
    The reference is the exported graph's function: the proposal network runs with detach as the identity."""
    def run(*args, **kwargs):
        detach = torch.Tensor.detach
        torch.Tensor.detach = lambda self: self
        try:
            return forward(*args, **kwargs)
        finally:
            torch.Tensor.detach = detach
    return run


for name in ["ssd", "retinanet", "fasterrcnn"]:
    model = build(name)
    torch.onnx.export(model, x, f"{name}_tiny.onnx", opset_version=11, input_names=["images"],
                      output_names=["boxes", "scores", "labels"])
    with torch.no_grad():
        found = model(x)[0]
    # Half a pixel inside the first detection's box: the target is then a smooth function of the output box (at the
    # box itself, IoU 1, box_iou's maximum and minimum have a kink, and which side of it a float lands on decides the
    # gradient). The first detection at least 4 pixels each way (a thin box shrunk so would no longer match).
    first = next(d for d, b in enumerate(found["boxes"]) if b[2] - b[0] >= 4 and b[3] - b[1] >= 4)
    box, label = found["boxes"][first].numpy() + [0.5, 0.5, -0.5, -0.5], int(found["labels"][first])
    if name == "fasterrcnn":
        model.rpn.forward = without_detach(model.rpn.forward)
    maps = {}
    for method, cam_class in [("gradcam", GradCAM), ("hirescam", HiResCAM), ("layercam", LayerCAM)]:
        with cam_class(model=model, target_layers=[model.backbone.layer1]) as cam:
            target = FasterRCNNBoxScoreTarget(labels=[label], bounding_boxes=[box])
            maps[method] = [round(float(v), 5) for v in cam(input_tensor=x, targets=[target])[0].flatten()]
    with torch.no_grad():
        target_score = float(FasterRCNNBoxScoreTarget(labels=[label], bounding_boxes=[box])(model(x)[0]))
    json.dump({"layer_module": "backbone.layer1",
               "boxes": [[round(float(v), 4) for v in b] for b in found["boxes"]],
               "scores": [round(float(s), 6) for s in found["scores"]],
               "labels": [int(v) for v in found["labels"]],
               "target_box": [float(v) for v in box], "target_label": label, "target_score": target_score,
               "maps": maps},
              open(f"{name}_tiny.json", "w"))
    print(name, len(found["boxes"]), "detections; first", [round(float(v), 1) for v in box], label,
          float(found["scores"][0]), {m: max(v) for m, v in maps.items()})
