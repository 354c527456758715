using System.Buffers.Text;

namespace SpinPet.Server.Api;

/// <summary>
/// Opaque keyset cursors: base64url of a list tag ‖ the store's key suffix of the last row of a page. The tag binds a
/// cursor to one list and order, so a cursor handed to another list (or the same list sorted differently) is a 400,
/// not a silently wrong page.
/// </summary>
internal static class ApiCursor
{
    // Index keys are at most 81 bytes; anything much longer is not one of ours.
    private const int MaxTextLength = 160;

    public static string? Encode(CursorList list, byte[]? next)
    {
        if (next is null)
        {
            return null;
        }
        var bytes = new byte[next.Length + 1];
        bytes[0] = (byte)list;
        next.CopyTo(bytes, 1);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The key suffix of a cursor of <paramref name="list"/>; null (with a problem added) when it is not one.</summary>
    public static byte[]? Decode(QueryParameters q, string name, string? text, CursorList list)
    {
        if (text is null)
        {
            return null;
        }
        byte[] bytes;
        try
        {
            bytes = text.Length <= MaxTextLength ? Base64Url.DecodeFromChars(text) : [];
        }
        catch (FormatException)
        {
            bytes = [];
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
        return bytes[1..];
    }
}

/// <summary>The lists that hand out cursors, one tag per list and order.</summary>
internal enum CursorList : byte
{
    MintEventsAscending = 1,
    MintEventsDescending = 2,
    UserEventsAscending = 3,
    UserEventsDescending = 4,
    MintsFirstSeenDescending = 5,
    MintsFirstSeenAscending = 6,
    MintsActivityDescending = 7,
    UpOrders = 8,
    DownOrders = 9,
    UserOrdersAscending = 10,
    UserOrdersDescending = 11,
}
