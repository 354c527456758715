using System.Buffers;
using System.Buffers.Text;
using SpinPet.Storage;

namespace SpinPet.Server.Api;

/// <summary>
/// The one paging helper of the REST lists: <c>limit</c> (1…1000, default 50), the keyset cursor and, for the previous
/// server's clients, <c>page</c>, bounded by <see cref="MaxPageDepth"/>. A cursor is opaque base64url of a list tag ‖
/// the store's key suffix of the last row of a page; the tag binds it to one list and order, so a cursor handed to
/// another list (or the same list sorted differently), or edited to another length, is a 400, not a wrong page.
/// </summary>
internal readonly record struct Paging(int Limit, int Page, byte[]? Cursor, CursorList? List)
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

    // Index cursors are at most 48 bytes after the tag (66 base64url characters); anything much longer is not one of ours.
    private const int MaxCursorTextLength = 160;

    /// <summary>Rows to skip before the page: only with <c>page</c>; a cursor already points past them.</summary>
    public int Skip => Cursor is null ? (Page - 1) * Limit : 0;

    public bool HasPrevious => Page > 1 || Cursor is not null;

    /// <summary>The cursor of the page after one that ended at <paramref name="next"/> (null on the last page).</summary>
    public string? NextCursor(byte[]? next)
    {
        if (next is null || List is not { } list)
        {
            return null;
        }
        var bytes = new byte[next.Length + 1];
        bytes[0] = (byte)list;
        next.CopyTo(bytes, 1);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// <c>limit</c>, <c>page</c> and the cursor of <paramref name="list"/>, given under any of
    /// <paramref name="cursorNames"/> (the first is the name messages use).
    /// </summary>
    public static Paging Read(QueryParameters q, CursorList list, params string[] cursorNames)
    {
        int limit = ReadLimit(q);
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
        var cursor = text is null ? null : Decode(q, name!, text, list);
        if (text is not null && page > 1)
        {
            q.Add($"page and {name} cannot be combined: the cursor already says where the page starts");
        }
        return new Paging(limit, page, cursor, list);
    }

    /// <summary><c>limit</c>: 1…<see cref="MaxLimit"/>, default <see cref="DefaultLimit"/>.</summary>
    public static int ReadLimit(QueryParameters q) => (int)(q.Integer("limit", 1, MaxLimit) ?? DefaultLimit);

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

    /// <summary>The key suffix of a cursor of <paramref name="list"/>; null (with a problem added) when it is not one.</summary>
    private static byte[]? Decode(QueryParameters q, string name, string text, CursorList list)
    {
        byte[] bytes = [];
        if (text.Length <= MaxCursorTextLength)
        {
            var decoded = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
            if (Base64Url.DecodeFromChars(text, decoded, out _, out int written) == OperationStatus.Done)
            {
                bytes = decoded[..written];
            }
        }
        if (bytes.Length < 2)
        {
            q.Add($"{name}: not a cursor of this API (pass next_cursor from the previous page unchanged)");
            return null;
        }
        if (bytes[0] != (byte)list)
        {
            q.Add($"{name}: the cursor belongs to another list or sort order; start again without it");
            return null;
        }
        if (bytes.Length - 1 != SuffixLength(list))
        {
            // The right list but the wrong length: edited by hand.
            q.Add($"{name}: not a cursor of this list (pass next_cursor from the previous page unchanged)");
            return null;
        }
        return bytes[1..];
    }

    private static int SuffixLength(CursorList list) => list switch
    {
        CursorList.MintEventsAscending or CursorList.MintEventsDescending or
            CursorList.UserEventsAscending or CursorList.UserEventsDescending => IndexCursorLengths.Events,
        CursorList.MintsFirstSeenAscending or CursorList.MintsFirstSeenDescending or CursorList.MintsActivityDescending => IndexCursorLengths.Mints,
        CursorList.UpOrders or CursorList.DownOrders => IndexCursorLengths.MintOrders,
        CursorList.UserOrdersAscending or CursorList.UserOrdersDescending => IndexCursorLengths.UserOrders,
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, "a list without a cursor layout"),
    };
}
