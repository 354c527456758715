using SpinPet.ChainSimulator;
using SpinPet.Core.Events;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// What the REST API should answer, computed from the simulator's ledger in the plainest way: one pass in chain order
/// over every event, with the rules of rest.md read literally (orders opened, updated, removed; owners; totals).
/// </summary>
internal sealed class LedgerReplay
{
    public LedgerReplay(IReadOnlyList<LedgerEvent> ledger)
    {
        foreach (var e in ledger)
        {
            var ev = e.Event;
            string mint = ev.MintAccount.ToString();
            if (!Mints.TryGetValue(mint, out var m))
            {
                m = new MintTotals { Mint = mint, First = e };
                Mints[mint] = m;
                MintsInFirstOrder.Add(mint);
            }
            m.Latest = e;
            m.Events.Add(e);
            if (ev.LatestPrice is { } price)
            {
                m.LatestPrice = price;
                m.LatestTradeTime = e.BlockTime;
            }
            string? owner = null;
            switch (ev)
            {
                case TokenCreatedEvent c:
                    m.Created = c;
                    m.Fees = (c.SwapFee, c.BorrowFee, c.FeeDiscountFlag);
                    break;
                case MilestoneDiscountEvent d:
                    m.Fees = (d.SwapFee, d.BorrowFee, d.FeeDiscountFlag);
                    owner = d.Payer.ToString();
                    break;
                case BuySellEvent t:
                    m.TotalSol += t.SolAmount;
                    owner = t.Payer.ToString();
                    break;
                case LongShortEvent o:
                    m.TotalMargin += o.Order.MarginSolAmount;
                    Orders[o.OrderPda.ToString()] = new Order(o.OrderPda.ToString(), mint, o.Order, e, e);
                    owner = o.Order.User.ToString();
                    break;
                case PartialCloseEvent p:
                    m.TotalProfit += p.UserCloseProfit;
                    var pda = p.OrderPda.ToString();
                    Orders[pda] = Orders.TryGetValue(pda, out var known)
                        ? known with { State = p.Order, Updated = e }
                        : new Order(pda, mint, p.Order, e, e);
                    owner = p.Order.User.ToString();
                    break;
                case FullCloseEvent f:
                    m.TotalProfit += f.UserCloseProfit;
                    Orders.Remove(f.OrderPda.ToString());
                    owner = f.UserSolAccount.ToString();
                    break;
                case ForceLiquidateEvent l:
                    m.Liquidations++;
                    if (Orders.Remove(l.OrderPda.ToString(), out var liquidated))
                    {
                        owner = liquidated.State.User.ToString();
                        LiquidatedOwners.Add(owner);
                    }
                    break;
            }
            if (owner is not null)
            {
                if (!EventsByUser.TryGetValue(owner, out var list))
                {
                    EventsByUser[owner] = list = [];
                }
                list.Add(e);
            }
        }
    }

    public Dictionary<string, MintTotals> Mints { get; } = [];

    public List<string> MintsInFirstOrder { get; } = [];

    /// <summary>Open orders after the whole ledger, by order PDA.</summary>
    public Dictionary<string, Order> Orders { get; } = [];

    /// <summary>Each user's events in chain order, attributed as rest.md says.</summary>
    public Dictionary<string, List<LedgerEvent>> EventsByUser { get; } = [];

    /// <summary>Owners of liquidated orders: their liquidations must be listed although someone else paid.</summary>
    public HashSet<string> LiquidatedOwners { get; } = [];

    internal sealed class MintTotals
    {
        public required string Mint { get; init; }

        public required LedgerEvent First { get; init; }

        public LedgerEvent Latest { get; set; } = null!;

        public List<LedgerEvent> Events { get; } = [];

        public TokenCreatedEvent? Created { get; set; }

        public (ushort Swap, ushort Borrow, byte Flag)? Fees { get; set; }

        public UInt128? LatestPrice { get; set; }

        public long LatestTradeTime { get; set; }

        public UInt128 TotalSol { get; set; }

        public UInt128 TotalMargin { get; set; }

        public UInt128 TotalProfit { get; set; }

        public ulong Liquidations { get; set; }
    }

    internal sealed record Order(string Pda, string Mint, OrderState State, LedgerEvent Opened, LedgerEvent Updated);
}
