using System.Text;

namespace GradCamSharp.TestSupport;

/// <summary>
/// An independent reader of ELF64 version-need entries, to check the build-time patch from the outside.
/// </summary>
public static class ElfVersionNeeds
{
    public static ushort? FlagsOf(byte[] elf, string version)
    {
        ulong sectionTable = BitConverter.ToUInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3a);
        int count = BitConverter.ToUInt16(elf, 0x3c);
        for (int s = 0; s < count; s++)
        {
            int header = (int)sectionTable + s * entrySize;
            if (BitConverter.ToUInt32(elf, header + 4) != 0x6ffffffe) continue;
            int offset = (int)BitConverter.ToUInt64(elf, header + 0x18);
            int entries = (int)BitConverter.ToUInt32(elf, header + 0x2c);
            int stringsHeader = (int)sectionTable + (int)BitConverter.ToUInt32(elf, header + 0x28) * entrySize;
            int strings = (int)BitConverter.ToUInt64(elf, stringsHeader + 0x18);
            int need = offset;
            for (int n = 0; n < entries; n++)
            {
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < BitConverter.ToUInt16(elf, need + 2); a++)
                {
                    int name = strings + (int)BitConverter.ToUInt32(elf, aux + 8);
                    int end = Array.IndexOf(elf, (byte)0, name);
                    if (Encoding.ASCII.GetString(elf, name, end - name) == version)
                        return BitConverter.ToUInt16(elf, aux + 4);
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return null;
    }
}
