namespace SpinPet.Server.Api;

/// <summary>
/// The paging parameters every list shares: <c>limit</c> (1…1000, default 50), the keyset cursor and, for the previous
/// server's clients, <c>page</c> (1…100), which costs <c>page × limit</c> rows to skip and so is bounded.
/// </summary>
internal readonly record struct Paging(int Limit, int Page, byte[]? Cursor, string CursorName)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;
    public const int MaxPage = 100;

    /// <summary>Rows to skip before the page: only with <c>page</c>; a cursor already points past them.</summary>
    public int Skip => Cursor is null ? (Page - 1) * Limit : 0;

    public bool HasPrevious => Page > 1 || Cursor is not null;

    /// <summary>
    /// The answer to a cursor of the right list but the wrong length (edited by hand), which the store refuses with an
    /// <see cref="ArgumentException"/> for <c>after</c>: the client's mistake, a 400, not a 500.
    /// </summary>
    public IResult BadCursor() =>
        ApiResults.BadRequest($"{CursorName}: not a cursor of this list (pass next_cursor from the previous page unchanged)");

    public static Paging Read(QueryParameters q, CursorList list, params string[] cursorNames)
    {
        int limit = (int)(q.Integer("limit", 1, MaxLimit) ?? DefaultLimit);
        int page = (int)(q.Integer("page", 1, MaxPage) ?? 1);
        string? name = null;
        string? text = null;
        foreach (var candidate in cursorNames)
        {
            if (q.Text(candidate) is { } value)
            {
                if (text is not null)
                {
                    q.Add($"{name} and {candidate} are the same cursor; pass one of them");
                }
                (name, text) = (candidate, value);
            }
        }
        var cursor = ApiCursor.Decode(q, name ?? cursorNames[0], text, list);
        if (text is not null && page > 1)
        {
            q.Add($"page and {name} cannot be combined: the cursor already says where the page starts");
        }
        return new Paging(limit, page, cursor, name ?? cursorNames[0]);
    }
}
