using System.Text.Json.Serialization;

namespace Matcha.Ratings.Wishlist;

[JsonConverter(typeof(JsonStringEnumConverter<WishState>))]
public enum WishState
{
    WantToWatch,
    Watching,
    NotInterested,
}

/// <summary>One user's wishlist state for one film; kept with State null when cleared, so Version keeps growing.</summary>
public sealed class WishlistEntry
{
    public Guid UserId { get; set; }
    public int MovieId { get; set; }
    public WishState? State { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
