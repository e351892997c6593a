/**
 * The default simulated world. Ids reuse the examples in Meta's documentation where there is one
 * (business 2729063490586005, WABA 102290129340398, phone 106540352242922 / 15550783881), so a
 * newcomer can match what they see against Meta's pages. One WABA id is above 2^53 on purpose:
 * ids must travel as strings end to end.
 */
import type { SimBusiness, SimPhoneNumber, SimWaba, SimWorld } from './types.js';

/** Ids of the seeded assets, for tests, demos and the sandbox dialog. */
export const SEED = {
  luckyShrub: {
    businessId: '2729063490586005',
    wabaId: '102290129340398',
    phoneNumberId: '106540352242922',
    /** a second number that has not passed code verification (register -> 133006) */
    unverifiedPhoneNumberId: '108427394018263',
  },
  jaspersMarket: {
    businessId: '506914307656634',
    usWabaId: '102289599326934',
    usPhoneNumberIds: ['110200345678901', '110200345678902'],
    /** 17 digits, above Number.MAX_SAFE_INTEGER */
    euWabaId: '10593849201948573',
    euPhoneNumberId: '112233445566778',
  },
  greenGrocer: {
    businessId: '1093857264019283',
    wabaId: '524126980791429',
    /** WhatsApp Business app number already on Cloud API (coexistence) */
    coexistencePhoneNumberId: '119283746501928',
  },
} as const;

function business(id: string, name: string, timezoneId: number): SimBusiness {
  return { id, name, timezoneId, verificationStatus: 'verified', createdTime: '2024-03-12T09:30:00+0000' };
}

function waba(id: string, businessId: string, name: string, country: string, currency: string): SimWaba {
  return {
    id,
    businessId,
    name,
    currency,
    timezoneId: '1',
    messageTemplateNamespace: `ns_${id.slice(-8)}`,
    accountReviewStatus: 'APPROVED',
    businessVerificationStatus: 'VERIFIED',
    country,
    ownershipType: 'CLIENT_OWNED',
    subscriptions: new Map(),
  };
}

type PhoneSeed = Pick<SimPhoneNumber, 'id' | 'wabaId' | 'displayPhoneNumber' | 'verifiedName'> & Partial<SimPhoneNumber>;

function phone(p: PhoneSeed): SimPhoneNumber {
  // A number fresh out of Embedded Signup is verified but not yet registered on Cloud API.
  return {
    codeVerificationStatus: 'VERIFIED',
    qualityRating: 'GREEN',
    nameStatus: 'APPROVED',
    status: 'PENDING',
    platformType: 'NOT_APPLICABLE',
    throughputLevel: 'STANDARD',
    accountMode: 'LIVE',
    isOfficialBusinessAccount: false,
    messagingLimit: 'TIER_250',
    coexistence: false,
    pin: null,
    dataLocalizationRegion: null,
    registrationCalls: [],
    ...p,
  };
}

/** A fresh copy of the default world (each simulator owns its own, so tests never share state). */
export function seedWorld(): SimWorld {
  const { luckyShrub: ls, jaspersMarket: jm, greenGrocer: gg } = SEED;
  const businesses = [
    business(ls.businessId, 'Lucky Shrub', 1),
    business(jm.businessId, "Jasper's Market", 0),
    business(gg.businessId, 'Green Grocer', 5),
  ];
  const wabas = [
    waba(ls.wabaId, ls.businessId, 'Lucky Shrub', 'US', 'USD'),
    waba(jm.usWabaId, jm.businessId, "Jasper's Market US", 'US', 'USD'),
    waba(jm.euWabaId, jm.businessId, "Jasper's Market EU", 'DE', 'EUR'),
    waba(gg.wabaId, gg.businessId, 'Green Grocer', 'GB', 'GBP'),
  ];
  const phones = [
    phone({ id: ls.phoneNumberId, wabaId: ls.wabaId, displayPhoneNumber: '+1 555-078-3881', verifiedName: 'Lucky Shrub' }),
    phone({
      id: ls.unverifiedPhoneNumberId,
      wabaId: ls.wabaId,
      displayPhoneNumber: '+1 555-012-9974',
      verifiedName: 'Lucky Shrub Support',
      codeVerificationStatus: 'NOT_VERIFIED',
      qualityRating: 'UNKNOWN',
      nameStatus: 'PENDING_REVIEW',
    }),
    phone({ id: jm.usPhoneNumberIds[0], wabaId: jm.usWabaId, displayPhoneNumber: '+1 555-020-1001', verifiedName: "Jasper's Market" }),
    phone({ id: jm.usPhoneNumberIds[1], wabaId: jm.usWabaId, displayPhoneNumber: '+1 555-020-1002', verifiedName: "Jasper's Deli", qualityRating: 'YELLOW' }),
    phone({ id: jm.euPhoneNumberId, wabaId: jm.euWabaId, displayPhoneNumber: '+49 30 901820', verifiedName: "Jasper's Markt", nameStatus: 'AVAILABLE_WITHOUT_REVIEW' }),
    phone({
      id: gg.coexistencePhoneNumberId,
      wabaId: gg.wabaId,
      displayPhoneNumber: '+44 7700 900123',
      verifiedName: 'Green Grocer',
      status: 'CONNECTED',
      platformType: 'CLOUD_API',
      coexistence: true,
    }),
  ];
  return {
    businesses: new Map(businesses.map((b) => [b.id, b])),
    wabas: new Map(wabas.map((w) => [w.id, w])),
    phoneNumbers: new Map(phones.map((p) => [p.id, p])),
  };
}

/** The phone numbers of one WABA, in seeding order. */
export function phonesOf(world: SimWorld, wabaId: string): SimPhoneNumber[] {
  return [...world.phoneNumbers.values()].filter((p) => p.wabaId === wabaId);
}

/** The WABAs of one business, in seeding order. */
export function wabasOf(world: SimWorld, businessId: string): SimWaba[] {
  return [...world.wabas.values()].filter((w) => w.businessId === businessId);
}

/** A JSON-ready outline of the world: what the sandbox dialog offers to pick from. */
export interface WorldSummary {
  businesses: {
    id: string;
    name: string;
    wabas: {
      id: string;
      name: string;
      phoneNumbers: { id: string; displayPhoneNumber: string; verifiedName: string; codeVerificationStatus: string; coexistence: boolean }[];
    }[];
  }[];
}

/** Summarises the world for pickers (no secrets live in the world, PINs excepted and left out). */
export function summariseWorld(world: SimWorld): WorldSummary {
  return {
    businesses: [...world.businesses.values()].map((b) => ({
      id: b.id,
      name: b.name,
      wabas: wabasOf(world, b.id).map((w) => ({
        id: w.id,
        name: w.name,
        phoneNumbers: phonesOf(world, w.id).map((p) => ({
          id: p.id,
          displayPhoneNumber: p.displayPhoneNumber,
          verifiedName: p.verifiedName,
          codeVerificationStatus: p.codeVerificationStatus,
          coexistence: p.coexistence,
        })),
      })),
    })),
  };
}
