using System.Runtime.InteropServices;

namespace Matcha.Recommendations.Model;

/// <summary>Float arrays to and from a stored model, as their raw little-endian bytes.</summary>
internal static class Floats
{
    public static void Write(BinaryWriter writer, float[] values) => writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));

    public static float[] Read(BinaryReader reader, int count)
    {
        var values = new float[count];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
