using System.Buffers.Binary;
using System.Text.Json;
using GradCamSharp.Maps;

namespace GradCamSharp.Imaging.Tests;

/// <summary>
/// Volumes as input and maps as output: NumPy and NIfTI files written by NumPy and nibabel (volumes/make_volumes.py)
/// read as those libraries read them, maps written and read back, and hostile files refused with a clear error.
/// </summary>
public sealed class VolumeFileTests
{
    private static string Fixture(string name) =>
        Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Imaging.Tests", "volumes", name);

    [Theory]
    [InlineData("ramp.nii.gz")]
    [InlineData("ramp-big-endian.nii")]
    [InlineData("ramp-channels.nii")]
    public void NiftiFiles_ReadAsNibabelReadsThem(string name)
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        JsonElement truth = expected.RootElement.GetProperty(name);
        VolumeInput volume = VolumeInput.Load(Fixture(name));
        Assert.Equal(truth.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()),
            [volume.Channels, volume.Depth, volume.Height, volume.Width]);
        Assert.Equal(truth.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), volume.Values);
        Assert.NotNull(volume.NiftiHeader);
    }

    [Fact]
    public void NumpyArrays_OfOtherTypesAndRanks_ReadAsVolumes()
    {
        VolumeInput ramp = VolumeInput.Load(Fixture("ramp.npy"));
        Assert.Equal((1, 3, 4, 5), (ramp.Channels, ramp.Depth, ramp.Height, ramp.Width));
        Assert.Equal(2 + 10 * 3 + 100 * 1, ramp.Values[(1 * 4 + 3) * 5 + 2]);
        VolumeInput bytes = VolumeInput.Load(Fixture("ramp-uint8.npy"));
        Assert.Equal((1, 3, 4, 5), (bytes.Channels, bytes.Depth, bytes.Height, bytes.Width));
        Assert.Equal(2 + 10 * 3 + 50 * 1, bytes.Values[(1 * 4 + 3) * 5 + 2]);
        Assert.Null(bytes.NiftiHeader);
    }

    [Theory]
    [InlineData("map.nii")]
    [InlineData("map.nii.gz")]
    [InlineData("map.npy")]
    public void VolumeMaps_RoundTrip(string name)
    {
        using var folder = new TempFolder();
        var random = new Random(41);
        var map = new VolumeMap(3, 4, 5, [.. Enumerable.Range(0, 60).Select(_ => (float)random.NextDouble())]);
        string path = folder[name];
        VolumeInput template = VolumeInput.Load(Fixture("ramp.nii.gz"));
        if (name.EndsWith(".npy", StringComparison.Ordinal)) NpyFile.Save(map, path);
        else NiftiFile.Save(map, path, template.NiftiHeader);

        VolumeInput read = VolumeInput.Load(path);
        Assert.Equal((1, 3, 4, 5), (read.Channels, read.Depth, read.Height, read.Width));
        Assert.Equal(map.Values, read.Values);
        if (read.NiftiHeader is byte[] header)
        {
            // The scan's voxel size (pixdim[1..3]: 2, 3 and 4 mm) and orientation come with the map.
            Assert.Equal([2f, 3f, 4f], Enumerable.Range(1, 3).Select(i =>
                BinaryPrimitives.ReadSingleLittleEndian(header.AsSpan(76 + 4 * i))));
            Assert.Equal(template.NiftiHeader!.AsSpan(252, 96).ToArray(), header.AsSpan(252, 96).ToArray());
        }
    }

    [Fact]
    public void HostileVolumes_AreRefusedWithTheirReason()
    {
        using var folder = new TempFolder();
        byte[] nifti = File.ReadAllBytes(Fixture("ramp-big-endian.nii"));
        string Write(string name, byte[] bytes)
        {
            File.WriteAllBytes(folder[name], bytes);
            return folder[name];
        }
        byte[] Changed(byte[] original, int offset, byte[] bytes)
        {
            byte[] copy = [.. original];
            bytes.CopyTo(copy, offset);
            return copy;
        }
        var cases = new Dictionary<string, (string File, string Reason)>
        {
            ["truncated"] = (Write("cut.nii", nifti[..400]), "truncated"),
            ["not NIfTI"] = (Write("text.nii", [.. Enumerable.Repeat((byte)'x', 400)]), "not a NIfTI-1"),
            ["7 dimensions"] = (Write("seven.nii", Changed(nifti, 40, [0, 7])), "dimensions"),
            ["huge"] = (Write("huge.nii", Changed(nifti, 42, [0x7F, 0xFF, 0x7F, 0xFF, 0x7F, 0xFF])), "too large"),
            ["complex"] = (Write("complex.nii", Changed(nifti, 70, [0, 32])), "datatype 32"),
            ["not gzip"] = (Write("plain.nii.gz", nifti), "gzip"),
            ["npy 2-D"] = (Write("flat.npy", File.ReadAllBytes(Fixture("ramp.npy"))[..128]), "truncated"),
        };
        foreach ((string what, (string file, string reason)) in cases)
        {
            var error = Assert.Throws<UnreadableInputException>(() => VolumeInput.Load(file));
            Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{what}: {error.Message}");
        }
        string plane = folder["plane.npy"];
        NpyFile.Save(new Heatmap(2, 2, [1, 2, 3, 4]), plane);
        Assert.Contains("a volume is", Assert.Throws<UnreadableInputException>(() => VolumeInput.Load(plane)).Message);
    }
}
