namespace GradCamSharp.Imaging;

/// <summary>The order of colour channels a model expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (PyTorch, TorchVision).</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe, CNTK, OpenCV, PaddlePaddle).</summary>
    Bgr,
}
