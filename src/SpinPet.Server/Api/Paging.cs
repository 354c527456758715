namespace SpinPet.Server.Api;

/// <summary>
/// The paging parameters every list shares: <c>limit</c> (1…1000, default 50), the keyset cursor and, for the previous
/// server's clients, <c>page</c>, bounded by <see cref="MaxPageDepth"/>.
/// </summary>
internal readonly record struct Paging(int Limit, int Page, byte[]? Cursor, string CursorName)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    /// <summary>
    /// <c>page</c> serves the first 5,000 rows of a list (<c>page × limit ≤ 5000</c>: pages 1…100 at the default limit
    /// of 50, 1…5 at 1,000); deeper pages are a 400 that points to the cursor. The rows before the page are stepped over
    /// in the index (a key each, no read of the event behind it), so a page costs at most 5,000 index steps plus
    /// <c>limit</c> reads, while a cursor page costs <c>limit</c> + 1 steps wherever it starts.
    /// </summary>
    public const int MaxPageDepth = 5000;

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
        int page = ReadPage(q, limit, $"{cursorNames[0]}=<next_cursor of the previous page>");
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

    /// <summary>
    /// <c>page</c> (default 1), refused past <see cref="MaxPageDepth"/> rows with a message naming what to page with
    /// instead (<paramref name="deeper"/>).
    /// </summary>
    public static int ReadPage(QueryParameters q, int limit, string deeper)
    {
        int page = (int)(q.Integer("page", 1, MaxPageDepth) ?? 1);
        if ((long)page * limit > MaxPageDepth)
        {
            q.Add($"page: page {page} × limit {limit} = {(long)page * limit} rows, more than the {MaxPageDepth} that page reaches; " +
                $"page deeper with {deeper}");
        }
        return page;
    }
}
