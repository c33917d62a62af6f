namespace GradCamSharp.Tests;

/// <summary>LibTorch tests share native state (threads, allocator); they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
