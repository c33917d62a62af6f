// Compiled by RoslynCodeTaskFactory against netstandard2.0: no nullable annotations, spans or newer BCL overloads.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one symbol-version requirement of an ELF shared library weak when the host's libstdc++ lacks that version.
/// Used for TorchSharp's libLibTorchSharp.so; see LibTorchSharpGlibcxx.targets for why.
/// </summary>
public class WeakenMissingGlibcxxVersion : Task
{
    private const uint SectionTypeGnuVersionNeeded = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        string hostLibrary = FindHostLibStdCxx();
        if (hostLibrary is null)
        {
            Log.LogMessage(MessageImportance.Low, "No libstdc++.so.6 found on this host; nothing to patch.");
            return true;
        }
        if (ContainsAscii(File.ReadAllBytes(hostLibrary), Version + "\0"))
        {
            Log.LogMessage(MessageImportance.Low, $"{hostLibrary} provides {Version}; nothing to patch.");
            return true;
        }
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                byte[] image = File.ReadAllBytes(path);
                switch (MarkVersionWeak(image, Version))
                {
                    case PatchResult.Patched:
                        // Write a new file rather than into the old one: the copy may be a hard link into the NuGet
                        // cache.
                        string temporary = path + ".weakening";
                        File.WriteAllBytes(temporary, image);
                        File.Delete(path);
                        File.Move(temporary, path);
                        Log.LogMessage(MessageImportance.High,
                            $"Marked {Version} weak in {path} (host libstdc++ lacks it).");
                        break;
                    case PatchResult.AlreadyWeak:
                        Log.LogMessage(MessageImportance.Low, $"{path}: {Version} already weak.");
                        break;
                    case PatchResult.NotReferenced:
                        Log.LogMessage(MessageImportance.Low, $"{path} does not ask for {Version}.");
                        break;
                }
            }
            catch (Exception exception)
                when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError($"Could not weaken {Version} in {path}: {exception.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private enum PatchResult { NotReferenced, AlreadyWeak, Patched }

    private static string FindHostLibStdCxx()
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            "/lib64/libstdc++.so.6",
        };
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static bool ContainsAscii(byte[] haystack, string needle)
    {
        byte[] pattern = Encoding.ASCII.GetBytes(needle);
        for (int start = Array.IndexOf(haystack, pattern[0]); start >= 0 && start <= haystack.Length - pattern.Length;
             start = Array.IndexOf(haystack, pattern[0], start + 1))
        {
            int matched = 1;
            while (matched < pattern.Length && haystack[start + matched] == pattern[matched]) matched++;
            if (matched == pattern.Length) return true;
        }
        return false;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the vernaux entry named <paramref name="version"/> in an ELF64 little-endian image.
    /// </summary>
    private static PatchResult MarkVersionWeak(byte[] image, string version)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L'
            || image[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (image[4] != 2 || image[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        long sectionTableOffset = (long)BitConverter.ToUInt64(image, 0x28);
        int sectionEntrySize = BitConverter.ToUInt16(image, 0x3a);
        int sectionCount = BitConverter.ToUInt16(image, 0x3c);

        for (int section = 0; section < sectionCount; section++)
        {
            long header = sectionTableOffset + (long)section * sectionEntrySize;
            if (BitConverter.ToUInt32(image, (int)header + 4) != SectionTypeGnuVersionNeeded) continue;

            long needOffset = (long)BitConverter.ToUInt64(image, (int)header + 0x18);
            int linkedStrings = (int)BitConverter.ToUInt32(image, (int)header + 0x28);
            long stringsHeader = sectionTableOffset + (long)linkedStrings * sectionEntrySize;
            long stringsOffset = (long)BitConverter.ToUInt64(image, (int)stringsHeader + 0x18);

            long need = needOffset;
            while (true)
            {
                int auxCount = BitConverter.ToUInt16(image, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(image, (int)need + 8);
                for (int entry = 0; entry < auxCount; entry++)
                {
                    int flagsAt = (int)aux + 4;
                    long nameAt = stringsOffset + BitConverter.ToUInt32(image, (int)aux + 8);
                    if (ReadCString(image, nameAt) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(image, flagsAt);
                        if ((flags & VersionFlagWeak) != 0) return PatchResult.AlreadyWeak;
                        ushort weakened = (ushort)(flags | VersionFlagWeak);
                        image[flagsAt] = (byte)weakened;
                        image[flagsAt + 1] = (byte)(weakened >> 8);
                        return PatchResult.Patched;
                    }
                    uint nextAux = BitConverter.ToUInt32(image, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint nextNeed = BitConverter.ToUInt32(image, (int)need + 12);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return PatchResult.NotReferenced;
    }

    private static string ReadCString(byte[] image, long offset)
    {
        int end = Array.IndexOf(image, (byte)0, (int)offset);
        return Encoding.ASCII.GetString(image, (int)offset, end - (int)offset);
    }
}
