namespace Matcha.Ratings.Recommendations.Model;

public sealed partial class LatentFactorModel
{
    private const int StorageFormat = 1;

    /// <summary>
    /// Writes what serving needs: the hyper-parameters, μ and every film's parameters. User
    /// parameters are left out on purpose — a user is always re-fitted from their current ratings
    /// (<see cref="FoldInUser"/>), so a stored user vector would only be stale.
    /// </summary>
    public void WriteItemSide(BinaryWriter writer)
    {
        writer.Write(StorageFormat);
        writer.Write(options.Factors);
        writer.Write(options.Epochs);
        writer.Write(options.LearningRate);
        writer.Write(options.Regularization);
        writer.Write(options.BiasLearningRate);
        writer.Write(options.BiasRegularization);
        writer.Write(options.InitStdDev);
        writer.Write(options.Seed);
        writer.Write(Mean);
        writer.Write(ItemCount);
        Floats.Write(writer, itemBiases);
        Floats.Write(writer, itemFactors);
        writer.Write(implicitFactors is not null);
        if (implicitFactors is not null)
        {
            Floats.Write(writer, implicitFactors);
        }
    }

    public static LatentFactorModel ReadItemSide(BinaryReader reader)
    {
        var format = reader.ReadInt32();
        if (format != StorageFormat)
        {
            throw new InvalidDataException($"Stored model format {format} is not {StorageFormat}.");
        }
        var options = new LatentFactorOptions
        {
            Factors = reader.ReadInt32(),
            Epochs = reader.ReadInt32(),
            LearningRate = reader.ReadSingle(),
            Regularization = reader.ReadSingle(),
            BiasLearningRate = reader.ReadSingle(),
            BiasRegularization = reader.ReadSingle(),
            InitStdDev = reader.ReadSingle(),
            Seed = reader.ReadInt32(),
        };
        var mean = reader.ReadSingle();
        var items = reader.ReadInt32();
        var biases = Floats.Read(reader, items);
        var factors = Floats.Read(reader, items * options.Factors);
        var implicitFactors = reader.ReadBoolean() ? Floats.Read(reader, items * options.Factors) : null;
        return new LatentFactorModel(options, mean, [], biases, [], factors, implicitFactors);
    }

    /// <summary>μ + b_i: the film's standing with everyone, what a user with no ratings is shown.</summary>
    public float ItemBaseline(int item) => item >= 0 && item < ItemCount ? RatingScale.Clip(Mean + itemBiases[item]) : RatingScale.Clip(Mean);
}
