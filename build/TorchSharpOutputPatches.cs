// The build-output fixes of TorchSharp's files (LibTorchSharpGlibcxx.targets, TorchSharpKeepAlive.targets): both
// UsingTasks compile this one file, so that the two share how a patched copy replaces the output file.
// Compiled by RoslynCodeTaskFactory against netstandard2.0: no nullable annotations, spans or newer BCL overloads.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Replaces a file of the build output with its patched bytes.</summary>
public static class BuildOutputFile
{
    /// <summary>
    /// Writes a new file rather than into the old one, which may be a hard link into the NuGet cache, and gives it
    /// the old file's time: a build output copied from the package then has the package file's size and time, so the
    /// next build's copy step sees it unchanged and neither copies it again nor makes this patch redo its work.
    /// </summary>
    public static void Replace(string path, byte[] image)
    {
        DateTime written = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".patched";
        File.WriteAllBytes(temporary, image);
        File.SetLastWriteTimeUtc(temporary, written);
        File.Delete(path);
        File.Move(temporary, path);
    }
}

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
                        BuildOutputFile.Replace(path, image);
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

/// <summary>
/// Marks every IL method of TorchSharp.dll NoOptimization and NoInlining (ECMA-335 MethodImplAttributes 0x40 and 0x08)
/// so that the JIT keeps a method's arguments alive until it returns. See TorchSharpKeepAlive.targets for why.
/// </summary>
public class KeepTorchSharpArgumentsAlive : Task
{
    private const ushort NoInlining = 0x0008, NoOptimization = 0x0040;
    private const ushort AggressiveInlining = 0x0100, AggressiveOptimization = 0x0200;
    private const ushort CodeTypeMask = 0x0003, InternalCall = 0x1000;
    private const int MethodDefTable = 0x06;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        foreach (ITaskItem item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                byte[] image = File.ReadAllBytes(path);
                int changed = Mark(image);
                if (changed > 0)
                {
                    BuildOutputFile.Replace(path, image);
                    Log.LogMessage(MessageImportance.Normal,
                        $"Kept the arguments of {changed} TorchSharp methods alive across native calls in {path}.");
                }
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException
                || exception is InvalidDataException || exception is IndexOutOfRangeException
                || exception is ArgumentException)
            {
                // The application still builds and runs, only without the fix: a warning, not a failed build.
                Log.LogWarning($"Cannot mark the methods of {path} (TorchSharp's Scalars stay exposed to the " +
                    $"finalizer during native calls): {exception.Message}");
            }
        }
        return true;
    }

    /// <summary>Sets the flags on every method with an IL body; returns how many methods changed (0: done before).
    /// </summary>
    public static int Mark(byte[] image)
    {
        (int offset, int rows, int rowSize) = MethodDefs(image);
        int changed = 0;
        for (int row = 0; row < rows; row++)
        {
            int at = offset + row * rowSize;
            uint rva = BitConverter.ToUInt32(image, at);
            ushort flags = BitConverter.ToUInt16(image, at + 4);
            if (rva == 0 || (flags & CodeTypeMask) != 0 || (flags & InternalCall) != 0) continue;
            ushort marked = (ushort)((flags | NoInlining | NoOptimization) & ~(AggressiveInlining
                | AggressiveOptimization));
            if (marked == flags) continue;
            image[at + 4] = (byte)marked;
            image[at + 5] = (byte)(marked >> 8);
            changed++;
        }
        return changed;
    }

    /// <summary>Where the MethodDef table starts in the file, its rows and its row size (ECMA-335 II.24, II.22).
    /// </summary>
    public static (int Offset, int Rows, int RowSize) MethodDefs(byte[] image)
    {
        int pe = BitConverter.ToInt32(image, 0x3C);
        if (BitConverter.ToUInt32(image, pe) != 0x00004550) throw new InvalidDataException("not a PE image");
        int sections = BitConverter.ToUInt16(image, pe + 6), optionalSize = BitConverter.ToUInt16(image, pe + 20);
        int optional = pe + 24;
        bool pe32Plus = BitConverter.ToUInt16(image, optional) == 0x20B;
        int cliDirectory = optional + (pe32Plus ? 112 : 96) + 14 * 8;
        int sectionTable = optional + optionalSize;
        int Offset(uint rva)
        {
            for (int s = 0; s < sections; s++)
            {
                int header = sectionTable + 40 * s;
                uint start = BitConverter.ToUInt32(image, header + 12), size = BitConverter.ToUInt32(image, header + 8);
                if (rva >= start && rva < start + Math.Max(size, BitConverter.ToUInt32(image, header + 16)))
                    return (int)(rva - start + BitConverter.ToUInt32(image, header + 20));
            }
            throw new InvalidDataException($"RVA 0x{rva:X} lies in no section");
        }
        int cli = Offset(BitConverter.ToUInt32(image, cliDirectory));
        int root = Offset(BitConverter.ToUInt32(image, cli + 8));
        if (BitConverter.ToUInt32(image, root) != 0x424A5342) throw new InvalidDataException("no CLI metadata");
        int streams = root + 16 + BitConverter.ToInt32(image, root + 12);
        int count = BitConverter.ToUInt16(image, streams + 2), header = streams + 4, tables = -1;
        for (int s = 0; s < count; s++)
        {
            int nameStart = header + 8, nameEnd = nameStart;
            while (image[nameEnd] != 0) nameEnd++;
            string name = System.Text.Encoding.ASCII.GetString(image, nameStart, nameEnd - nameStart);
            if (name == "#~") tables = root + BitConverter.ToInt32(image, header);
            header = nameStart + ((nameEnd - nameStart + 4) & ~3);
        }
        if (tables < 0) throw new InvalidDataException("no compressed metadata tables (#~)");
        byte heapSizes = image[tables + 6];
        ulong valid = BitConverter.ToUInt64(image, tables + 8);
        var rowCounts = new int[64];
        int cursor = tables + 24;
        for (int t = 0; t < 64; t++)
        {
            if ((valid >> t & 1) == 0) continue;
            rowCounts[t] = BitConverter.ToInt32(image, cursor);
            cursor += 4;
        }
        if ((heapSizes & 0x40) != 0) cursor += 4;
        int strings = (heapSizes & 1) != 0 ? 4 : 2, guids = (heapSizes & 2) != 0 ? 4 : 2;
        int blobs = (heapSizes & 4) != 0 ? 4 : 2;
        int Index(int table) => rowCounts[table] < 1 << 16 ? 2 : 4;
        int Coded(int bits, params int[] of)
        {
            int most = 0;
            foreach (int table in of) most = Math.Max(most, rowCounts[table]);
            return most < 1 << (16 - bits) ? 2 : 4;
        }
        int typeDefOrRef = Coded(2, 0x02, 0x01, 0x1B), resolutionScope = Coded(2, 0x00, 0x1A, 0x23, 0x01);
        int[] rowSizes = new int[MethodDefTable + 1];
        rowSizes[0x00] = 2 + strings + 3 * guids;
        rowSizes[0x01] = resolutionScope + 2 * strings;
        rowSizes[0x02] = 4 + 2 * strings + typeDefOrRef + Index(0x04) + Index(0x06);
        rowSizes[0x03] = Index(0x04);
        rowSizes[0x04] = 2 + strings + blobs;
        rowSizes[0x05] = Index(0x06);
        rowSizes[0x06] = 4 + 2 + 2 + strings + blobs + Index(0x08);
        for (int t = 0; t < MethodDefTable; t++) cursor += rowCounts[t] * rowSizes[t];
        return (cursor, rowCounts[MethodDefTable], rowSizes[MethodDefTable]);
    }
}
