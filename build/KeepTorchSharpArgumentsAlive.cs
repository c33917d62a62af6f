// Compiled by RoslynCodeTaskFactory against netstandard2.0: no nullable annotations, spans or newer BCL overloads.
using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

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
                    // Write a new file rather than into the old one: the copy may be a hard link into the NuGet cache.
                    string temporary = path + ".keepalive";
                    File.WriteAllBytes(temporary, image);
                    File.Delete(path);
                    File.Move(temporary, path);
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
