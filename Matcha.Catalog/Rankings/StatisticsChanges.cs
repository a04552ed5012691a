using System.Threading.Channels;

namespace Matcha.Catalog.Rankings;

/// <summary>Films whose statistics changed, handed from the statistics projection to <see cref="RankingsProjection"/>.</summary>
public sealed class StatisticsChanges
{
    private readonly Channel<int> _movies = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });

    public void Changed(int movieId) => _movies.Writer.TryWrite(movieId);

    internal ChannelReader<int> Reader => _movies.Reader;
}
