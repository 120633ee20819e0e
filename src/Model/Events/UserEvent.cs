namespace Recommender.Model.Events;

/// <summary>
/// Something a user did with a movie after the release was cut: watched it (no rating) or rated it.
/// </summary>
/// <param name="MovieId">MovieLens movie id; it need not be in the served model's catalogue.</param>
/// <param name="Rating">0.5 to 5 in steps of 0.5, or null for a watch without a rating.</param>
/// <param name="Timestamp">When it happened (UTC).</param>
/// <param name="EventId">The client's id for the event; a repeated one is stored once. Null: every post is a new event.</param>
public sealed record UserEvent(int MovieId, float? Rating, DateTimeOffset Timestamp, string? EventId);

/// <summary>The outcome of storing a post of events.</summary>
/// <param name="Accepted">Events stored by this post.</param>
/// <param name="Duplicates">Events whose eventId was stored already (or repeated within the post); not stored again.</param>
/// <param name="ChangePublished">
/// False when events were stored but their change row could not be written: other instances then reflect them only
/// when their cached entry reaches <see cref="LiveUserHistory.MaxTrustedAge"/>.
/// </param>
public sealed record StoredEvents(int Accepted, int Duplicates, bool ChangePublished = true);

/// <summary>One user's events, as read for the retrain.</summary>
public sealed record UserEvents(int UserId, IReadOnlyList<UserEvent> Events);
