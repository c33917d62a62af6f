using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace GradCamSharp.TestSupport;

/// <summary>
/// Reads what build/TorchSharpKeepAlive.targets writes: the NoOptimization and NoInlining flags of a TorchSharp.dll's
/// methods.
/// </summary>
public static class KeepAliveMarks
{
    /// <summary>The methods of the assembly at <paramref name="path"/> that have an IL body, and how many of them
    /// lack either flag.</summary>
    public static (int WithBodies, int Unmarked) Count(string path)
    {
        using var image = new PEReader(File.OpenRead(path));
        MetadataReader metadata = image.GetMetadataReader();
        const MethodImplAttributes marks = MethodImplAttributes.NoOptimization | MethodImplAttributes.NoInlining;
        MethodDefinition[] withBodies = [.. metadata.MethodDefinitions.Select(metadata.GetMethodDefinition)
            .Where(m => m.RelativeVirtualAddress != 0)];
        return (withBodies.Length, withBodies.Count(m => (m.ImplAttributes & marks) != marks));
    }
}
