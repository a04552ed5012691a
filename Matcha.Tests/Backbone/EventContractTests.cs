using System.Text.Json;
using Matcha.EventBus;
using CatalogSide = Matcha.Catalog;
using RatingsSide = Matcha.Ratings;
using AccountsSide = Matcha.Accounts;
using SocialSide = Matcha.Social;

namespace Matcha.Tests.Backbone;

/// <summary>
/// Each consumer declares its own reading of the events it consumes. These tests put every
/// producer's event through the wire format and read it with each consumer's contract, so a
/// producer change that a consumer would misread fails here, at build time, not in production.
/// </summary>
public sealed class EventContractTests
{
    private static readonly Guid User = Guid.NewGuid();
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void CatalogReadsRatingChangedAsRatingsWritesIt()
    {
        var read = RoundTrip<RatingsSide.Ratings.RatingChanged, CatalogSide.Statistics.RatingChanged>(
            new RatingsSide.Ratings.RatingChanged(7, User, 3.5m, 0.5m, 4, Now));
        Assert.Equal(new CatalogSide.Statistics.RatingChanged(7, User, 3.5m, 0.5m), read);
    }

    [Fact]
    public void CatalogReadsWishlistChangedAsRatingsWritesIt()
    {
        var read = RoundTrip<RatingsSide.Wishlist.WishlistChanged, CatalogSide.Statistics.WishlistChanged>(
            new RatingsSide.Wishlist.WishlistChanged(7, User, RatingsSide.Wishlist.WishState.Watching, RatingsSide.Wishlist.WishState.WantToWatch, 2, Now));
        // Catalog counts the state by its name, so the name on the wire is part of the contract.
        Assert.Equal(new CatalogSide.Statistics.WishlistChanged(7, User, "Watching", "WantToWatch"), read);
    }

    [Fact]
    public void CatalogReadsCommentEventsAsRatingsWritesThem()
    {
        Assert.Equal(new CatalogSide.Statistics.CommentPosted(11, 7),
            RoundTrip<RatingsSide.Comments.CommentPosted, CatalogSide.Statistics.CommentPosted>(new(11, 7, User, true, Now)));
        Assert.Equal(new CatalogSide.Statistics.CommentRemoved(11, 7),
            RoundTrip<RatingsSide.Comments.CommentRemoved, CatalogSide.Statistics.CommentRemoved>(new(11, 7, User, Now)));
    }

    [Fact]
    public void RatingsReadsCatalogsMovieEventsAsCatalogWritesThem()
    {
        var changed = RoundTrip<CatalogSide.Movies.MovieChanged, RatingsSide.Movies.MovieChanged>(
            new CatalogSide.Movies.MovieChanged(7, 2019, new DateOnly(2019, 5, 30), ["Drama", "Thriller"], [3, 5], 2,
                ["KR", "US"], 132, [new(3, "Bong Joon-ho")], [new(5, "Song Kang-ho")]));
        Assert.Equal(7, changed.MovieId);
        Assert.Equal(2019, changed.Year);
        Assert.Equal(new DateOnly(2019, 5, 30), changed.ReleaseDate);
        Assert.Equal(["Drama", "Thriller"], changed.Genres);
        Assert.Equal([3, 5], changed.PeopleIds);
        Assert.Equal(["KR", "US"], changed.Countries);
        Assert.Equal(132, changed.Runtime);
        Assert.Equal([new RatingsSide.Movies.CreditedPerson(3, "Bong Joon-ho")], changed.Directors);
        Assert.Equal([new RatingsSide.Movies.CreditedPerson(5, "Song Kang-ho")], changed.Cast);
        Assert.Equal(new RatingsSide.Movies.MovieRemoved(7),
            RoundTrip<CatalogSide.Movies.MovieRemoved, RatingsSide.Movies.MovieRemoved>(new(7, 3)));
    }

    [Fact]
    public void RatingsReadsRatingRejectedAsCatalogWritesIt()
    {
        var read = RoundTrip<CatalogSide.Statistics.RatingRejected, RatingsSide.Movies.RatingRejected>(new(7, User, 4, "not released"));
        Assert.Equal(new RatingsSide.Movies.RatingRejected(7, User, 4, "not released"), read);
    }

    [Fact]
    public void ARejectionAddressesTheRatingItRejects()
    {
        // Ratings matches the rejection to the rating's own aggregate and version.
        var rejected = new CatalogSide.Statistics.RatingRejected(7, User, 4, "not released");
        var rated = new RatingsSide.Ratings.RatingChanged(7, User, null, 4.0m, 4, Now);
        Assert.Equal(rated.AggregateId, rejected.AggregateId);
        Assert.Equal(rated.AggregateVersion, rejected.AggregateVersion);
    }

    [Fact]
    public void SocialReadsAccountProfileChangedAsAccountsWritesIt()
    {
        var handle = Guid.NewGuid();
        var read = RoundTrip<AccountsSide.Users.AccountProfileChanged, SocialSide.Members.AccountProfileChanged>(new(User, "Ji-woo", 42, handle));
        Assert.Equal(new SocialSide.Members.AccountProfileChanged(User, "Ji-woo", handle), read);
    }

    [Fact]
    public void RatingsReadsAccountProfileChangedAsAccountsWritesIt()
    {
        // The handle is what comments link to: the same one Social's profiles are found by.
        var handle = Guid.NewGuid();
        var read = RoundTrip<AccountsSide.Users.AccountProfileChanged, RatingsSide.Authors.AccountProfileChanged>(new(User, "Ji-woo", 42, handle));
        Assert.Equal(new RatingsSide.Authors.AccountProfileChanged(User, "Ji-woo", handle), read);
    }

    [Fact]
    public void RatingsReadsTheNameAnnouncementsItsEventsStepMustAwait()
    {
        var deletion = AccountsSide.Deletion.DeletionSaga.Start(User, Now, new AccountsSide.Deletion.DeletionOptions(), null, null);
        deletion.ProfileEventIds = [Guid.NewGuid(), Guid.NewGuid()];
        deletion.Step = AccountsSide.Deletion.DeletionStep.RatingsEvents;
        var command = RoundTrip<AccountsSide.Deletion.EraseUserData, RatingsSide.Erasure.EraseUserData>(AccountsSide.Deletion.DeletionSaga.Command(deletion));
        Assert.Equal((deletion.Id, User, RatingsSide.Erasure.ErasureSteps.Events, 1), (command.DeletionId, command.UserId, command.Step, command.Attempt));
        Assert.Equal(deletion.ProfileEventIds, command.AwaitedEventIds);
    }

    [Fact]
    public void SocialAnswersItsOwnStepOfTheDeletionSagaInWordsAccountsReads()
    {
        var deletionId = Guid.NewGuid();
        Guid[] awaited = [Guid.NewGuid()];
        var command = RoundTrip<AccountsSide.Deletion.EraseUserData, SocialSide.Erasure.EraseUserData>(
            new(deletionId, User, AccountsSide.Deletion.DeletionStep.Social, 2, awaited));
        Assert.Equal((deletionId, User, SocialSide.Erasure.ErasureSteps.Social, 2), (command.DeletionId, command.UserId, command.Step, command.Attempt));
        Assert.Equal(awaited, command.AwaitedEventIds);

        var reply = RoundTrip<SocialSide.Erasure.UserDataErased, AccountsSide.Deletion.UserDataErased>(new(deletionId, command.Step, 2, []));
        Assert.Equal((deletionId, AccountsSide.Deletion.DeletionStep.Social, 2), (reply.DeletionId, reply.Step, reply.Attempt));
    }

    [Fact]
    public void SocialReadsRatingsActivityEventsAsRatingsWritesThem()
    {
        Assert.Equal(new SocialSide.Feed.RatingChanged(7, User, 4.5m, Now),
            RoundTrip<RatingsSide.Ratings.RatingChanged, SocialSide.Feed.RatingChanged>(new(7, User, 3.0m, 4.5m, 2, Now)));
        Assert.Equal(new SocialSide.Feed.CommentPosted(11, 7, User, Now),
            RoundTrip<RatingsSide.Comments.CommentPosted, SocialSide.Feed.CommentPosted>(new(11, 7, User, false, Now)));
        Assert.Equal(new SocialSide.Feed.CommentRemoved(11),
            RoundTrip<RatingsSide.Comments.CommentRemoved, SocialSide.Feed.CommentRemoved>(new(11, 7, User, Now)));
    }

    [Fact]
    public void RatingsReadsMemberPrivacyChangedAsSocialWritesIt()
    {
        var produced = new SocialSide.Members.MemberPrivacyChanged(User, true, 3);
        Assert.Equal(new RatingsSide.Profiles.MemberPrivacyChanged(User, true),
            RoundTrip<SocialSide.Members.MemberPrivacyChanged, RatingsSide.Profiles.MemberPrivacyChanged>(produced));
        // Ratings orders a member's changes by the aggregate's version: one aggregate per member.
        Assert.Equal(($"member/{User}", 3L), (produced.AggregateId, produced.AggregateVersion));
    }

    /// <summary>The producer's event, serialised as the outbox does, read back as the consumer does.</summary>
    private static TConsumer RoundTrip<TProducer, TConsumer>(TProducer produced) where TProducer : IIntegrationEvent
    {
        var envelope = new EventEnvelope(TProducer.EventType, TProducer.SchemaVersion, Guid.NewGuid(), produced.AggregateId,
            produced.AggregateVersion, Now, null, null, JsonSerializer.SerializeToElement(produced, EventEnvelope.JsonOptions));
        Assert.True(EventEnvelope.TryParse(envelope.ToJson(), out var received));
        return received.PayloadAs<TConsumer>();
    }
}
