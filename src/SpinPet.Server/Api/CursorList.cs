namespace SpinPet.Server.Api;

/// <summary>The lists that hand out cursors, one tag per list and order (the first byte of a cursor).</summary>
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
