/**
 * Records of the fake IT Glue server, builders for them, and the default seed.
 *
 * Records use the wire's kebab-case attribute names, so a test changes a user exactly as the API
 * would show it: `user['invitation-accepted-at'] = new Date().toISOString()`. Every id (the
 * record's own and the `…-id` attributes) is stored as a decimal string; on the wire the record's
 * `id` stays a string and `…-id` attributes become numbers, as IT Glue sends them.
 *
 * IT Glue's daily activity figures (`GET /user_metrics`) are records too (`userMetrics`): one per
 * user, organization, resource type and UTC day, with the counts created / viewed / edited / deleted.
 *
 * Derived attributes are computed when a record is rendered, so they never go stale:
 * `organization-name` and `contact-type-name` of a contact, `organization-name` and
 * `flexible-asset-type-name` of a flexible asset, and a flexible asset's `name` when its type has
 * `use-for-title` fields.
 */

export interface FakeOrganization {
  id: string;
  name: string;
  description: string | null;
  'organization-type-id': string | null;
  'organization-type-name': string | null;
  'organization-status-id': string | null;
  'organization-status-name': string | null;
  'short-name': string | null;
  /** True only for the MSP's own organization. */
  primary: boolean;
  'my-glue-account-id': string | null;
  'quick-notes': string | null;
  'created-at': string;
  'updated-at': string;
}

export interface FakeContactEmail {
  value: string;
  primary: boolean;
  'label-name': string | null;
}

export interface FakeContactPhone {
  value: string;
  extension: string | null;
  primary: boolean;
  'label-name': string | null;
  'label-type': 'phone' | 'fax';
  'formatted-value': string | null;
}

export interface FakeContact {
  id: string;
  'organization-id': string;
  name: string;
  'first-name': string | null;
  'last-name': string | null;
  title: string | null;
  'contact-type-id': string | null;
  /** IT Glue sends true, false or null. */
  important: boolean | null;
  notes: string | null;
  'contact-emails': FakeContactEmail[];
  'contact-phones': FakeContactPhone[];
  'created-at': string;
  'updated-at': string;
}

export interface FakeContactType {
  id: string;
  name: string;
  'created-at': string;
  'updated-at': string;
}

export interface FakeUser {
  id: string;
  name: string;
  'first-name': string | null;
  'last-name': string | null;
  email: string;
  /** Administrator, Manager, Editor, Creator, Read-only or Lite. */
  'role-name': string;
  avatar: string | null;
  'my-glue': boolean;
  'my-glue-account-id': string | null;
  'invitation-sent-at': string | null;
  'invitation-accepted-at': string | null;
  'current-sign-in-at': string | null;
  'last-sign-in-at': string | null;
  'current-sign-in-ip': string | null;
  'last-sign-in-ip': string | null;
  reputation: number;
  'created-at': string;
  'updated-at': string;
}

export interface FakeGroup {
  id: string;
  name: string;
  description: string | null;
  'my-glue': boolean;
  'my-glue-account-id': string | null;
  'hide-from-my-glue': boolean;
  /** Members (the `users` relationship; written by PATCH `accounts_user_ids`). */
  'user-ids': string[];
  /** Organizations the group gives access to (the `organizations` relationship). */
  'organization-ids': string[];
  /**
   * Asset types the group denies its members ("Deny Asset Type Access", e.g. `Passwords`,
   * `Configurations`, or a flexible asset type's name): the `resource_type_restrictions` include.
   */
  'resource-type-restrictions': string[];
  'created-at': string;
  'updated-at': string;
}

export interface FakeFlexibleAssetField {
  id: string;
  order: number;
  name: string;
  /** Checkbox, Date, Header, Number, Select, Text, Textbox, Upload, Tag, Percent, Password. */
  kind: string;
  hint: string | null;
  decimals: number;
  'default-value': string | null;
  /** For Tag fields: Contacts, Organizations, … */
  'tag-type': string | null;
  required: boolean;
  'use-for-title': boolean;
  expiration: boolean;
  'show-in-list': boolean;
  /** The trait key. */
  'name-key': string;
  'created-at': string;
  'updated-at': string;
}

export interface FakeFlexibleAssetType {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  enabled: boolean;
  'show-in-menu': boolean;
  fields: FakeFlexibleAssetField[];
  'created-at': string;
  'updated-at': string;
}

/**
 * Stored in write form: a Tag trait is a list of ids (strings); the server renders it as
 * `{type, values: [{id, name, …}]}`. Other traits are stored as sent.
 */
export type FakeTraits = Record<string, unknown>;

export interface FakeFlexibleAsset {
  id: string;
  'organization-id': string;
  'flexible-asset-type-id': string;
  /** Used when the type has no `use-for-title` field with a value. */
  name: string;
  archived: boolean;
  restricted: boolean;
  'my-glue': boolean;
  traits: FakeTraits;
  'created-at': string;
  'updated-at': string;
}

/** One line of IT Glue's activity figures: what a user did in one organization and resource type on one UTC day. */
export interface FakeUserMetric {
  id: string;
  'user-id': string;
  'organization-id': string;
  /** e.g. Passwords, Configurations, Documents. */
  'resource-type': string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
  created: number;
  viewed: number;
  edited: number;
  deleted: number;
}

export interface FakeItGlueData {
  organizations: FakeOrganization[];
  contacts: FakeContact[];
  contactTypes: FakeContactType[];
  users: FakeUser[];
  groups: FakeGroup[];
  flexibleAssetTypes: FakeFlexibleAssetType[];
  flexibleAssets: FakeFlexibleAsset[];
  userMetrics: FakeUserMetric[];
}

/** Any subset of the collections; missing ones start empty. */
export type FakeItGlueSeed = Partial<FakeItGlueData>;

const EPOCH = '2023-01-02T09:00:00.000Z';

type Needs<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

export function makeOrganization(fields: Needs<FakeOrganization, 'id' | 'name'>): FakeOrganization {
  return {
    description: null,
    'organization-type-id': '86',
    'organization-type-name': 'Customer',
    'organization-status-id': '68',
    'organization-status-name': 'Active',
    'short-name': null,
    primary: false,
    'my-glue-account-id': null,
    'quick-notes': null,
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeContact(fields: Needs<FakeContact, 'id' | 'organization-id'> & { email?: string }): FakeContact {
  const { email, ...rest } = fields;
  const first = rest['first-name'] ?? null;
  const last = rest['last-name'] ?? null;
  return {
    name: [first, last].filter(Boolean).join(' '),
    'first-name': first,
    'last-name': last,
    title: null,
    'contact-type-id': null,
    important: null,
    notes: null,
    'contact-emails': email ? [{ value: email, primary: true, 'label-name': 'Work' }] : [],
    'contact-phones': [],
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...rest,
  };
}

export function makeUser(fields: Needs<FakeUser, 'id' | 'email'>): FakeUser {
  const first = fields['first-name'] ?? null;
  const last = fields['last-name'] ?? null;
  return {
    name: [first, last].filter(Boolean).join(' '),
    'first-name': first,
    'last-name': last,
    'role-name': 'Lite',
    avatar: null,
    'my-glue': false,
    'my-glue-account-id': null,
    'invitation-sent-at': EPOCH,
    'invitation-accepted-at': null,
    'current-sign-in-at': null,
    'last-sign-in-at': null,
    'current-sign-in-ip': null,
    'last-sign-in-ip': null,
    reputation: 0,
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeGroup(fields: Needs<FakeGroup, 'id' | 'name'>): FakeGroup {
  return {
    description: null,
    'my-glue': false,
    'my-glue-account-id': null,
    'hide-from-my-glue': false,
    'user-ids': [],
    'organization-ids': [],
    'resource-type-restrictions': [],
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeField(fields: Needs<FakeFlexibleAssetField, 'id' | 'order' | 'name' | 'kind' | 'name-key'>): FakeFlexibleAssetField {
  return {
    hint: null,
    decimals: 0,
    'default-value': null,
    'tag-type': null,
    required: false,
    'use-for-title': false,
    expiration: false,
    'show-in-list': true,
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeFlexibleAssetType(fields: Needs<FakeFlexibleAssetType, 'id' | 'name' | 'fields'>): FakeFlexibleAssetType {
  return {
    description: null,
    icon: null,
    enabled: true,
    'show-in-menu': true,
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeFlexibleAsset(fields: Needs<FakeFlexibleAsset, 'id' | 'organization-id' | 'flexible-asset-type-id'>): FakeFlexibleAsset {
  return {
    name: '',
    archived: false,
    restricted: false,
    'my-glue': false,
    traits: {},
    'created-at': EPOCH,
    'updated-at': EPOCH,
    ...fields,
  };
}

export function makeUserMetric(fields: Needs<FakeUserMetric, 'id' | 'user-id' | 'organization-id' | 'date'>): FakeUserMetric {
  return { 'resource-type': 'Passwords', created: 0, viewed: 1, edited: 0, deleted: 0, ...fields };
}

/** Ids of the default seed's records, so tests can name them instead of repeating numbers. */
export const SEED = {
  org: { msp: '1000', acme: '1001', smithJones: '1002', bluebird: '1003', smith: '1004' },
  contactType: { primary: '31', approver: '32', billing: '33', technical: '34' },
  contact: {
    paulaPrimary: '2001', // Acme, type Primary, important true
    inesInvitee: '2002', // Acme, no type, important null, primary email is the second one, not yet a user
    ottoOther: '2003', // Acme, type Technical, important false, one email not flagged primary
    noraNoEmail: '2004', // Acme, no email at all
    alexApprover: '2005', // Acme, type Approver, important null, a MyGlue user
    samSmith: '2101', // Smith, Jones & Co, type Primary (one of two)
    joJones: '2102', // Smith, Jones & Co, type Primary (the other)
    caseyClerk: '2103', // Smith, Jones & Co
    blakeBird: '2201', // Bluebird, nothing marks a primary contact
    robinWren: '2202', // Bluebird, important false
    patSmith: '2301', // Smith (the other organization)
    miaManager: '2401', // the MSP
  },
  user: {
    admin: '5001', // Administrator, signed in
    tech: '5002', // Manager, signed in
    samPending: '5003', // Lite, invitation sent an hour ago, not accepted
    paulaSignedIn: '5004', // Lite, accepted and signed in
    ottoAccepted: '5005', // Lite, accepted, never signed in
    alexMyGlue: '5006', // MyGlue Creator, signed in
    caseyExpired: '5007', // Lite, invitation sent 3 days ago (link expired), not accepted
    robinMixedCase: '5008', // Lite, signed in, email stored with capitals
    readOnly: '5009', // Read-only MSP staff
  },
  group: { noPasswordAccess: '301', hasPasswordAccess: '302', acmeMyGlue: '303', technicians: '304' },
  flexibleAssetType: { siteSummary: '40', email: '41' },
  field: { siteName: '401', authorizedContacts: '402', internetProvider: '403', afterHours: '404', notes: '405', domain: '411' },
  flexibleAsset: { acmeSite: '4001', smithJonesSite: '4002', bluebirdSite: '4003', acmeEmail: '4004' },
  myGlueAccount: { acme: '7001' },
  userMetric: { paulaPasswords: '8001', paulaConfigurations: '8002', alexDocuments: '8003' },
} as const;

/**
 * An MSP (`primary: true`) and its customers, one of them with a comma in its name, contacts for
 * every primary-contact rule, users in every invitation state, the two customer groups and a
 * "Site Summary" flexible asset per customer, and the activity of the users who signed in, in their
 * own organization. Times of the invitation states and days of the activity are relative to `now`.
 */
export function defaultSeed(now: Date = new Date()): FakeItGlueData {
  const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
  const { org, contactType, contact, user, group, flexibleAssetType, field, flexibleAsset, myGlueAccount, userMetric } = SEED;

  const organizations = [
    makeOrganization({
      id: org.msp,
      name: 'Northwind IT Services',
      'organization-type-id': '15',
      'organization-type-name': 'Owner',
      'short-name': 'northwind',
      primary: true,
    }),
    makeOrganization({ id: org.acme, name: 'Acme Dental', 'short-name': 'acme', 'my-glue-account-id': myGlueAccount.acme }),
    makeOrganization({ id: org.smithJones, name: 'Smith, Jones & Co', 'short-name': 'smithjones' }),
    makeOrganization({ id: org.bluebird, name: 'Bluebird Logistics', 'short-name': 'bluebird' }),
    makeOrganization({
      id: org.smith,
      name: 'Smith',
      'organization-type-id': '87',
      'organization-type-name': 'Vendor',
      'short-name': 'smith',
    }),
  ];

  const contactTypes: FakeContactType[] = [
    { id: contactType.primary, name: 'Primary', 'created-at': EPOCH, 'updated-at': EPOCH },
    { id: contactType.approver, name: 'Approver', 'created-at': EPOCH, 'updated-at': EPOCH },
    { id: contactType.billing, name: 'Billing', 'created-at': EPOCH, 'updated-at': EPOCH },
    { id: contactType.technical, name: 'Technical', 'created-at': EPOCH, 'updated-at': EPOCH },
  ];

  const phone = (value: string): FakeContactPhone => ({
    value,
    extension: null,
    primary: true,
    'label-name': 'Work',
    'label-type': 'phone',
    'formatted-value': `(${value.slice(0, 3)}) ${value.slice(3, 6)}-${value.slice(6)}`,
  });

  const contacts = [
    makeContact({
      id: contact.paulaPrimary,
      'organization-id': org.acme,
      'first-name': 'Paula',
      'last-name': 'Primary',
      title: 'Practice Owner',
      'contact-type-id': contactType.primary,
      important: true,
      email: 'paula.primary@acme-dental.test',
      'contact-phones': [phone('4155550101')],
    }),
    makeContact({
      id: contact.inesInvitee,
      'organization-id': org.acme,
      'first-name': 'Ines',
      'last-name': 'Invitee',
      title: 'Office Manager',
      'contact-emails': [
        { value: 'ines.home@mail.test', primary: false, 'label-name': 'Home' },
        { value: 'Ines.Invitee@acme-dental.test', primary: true, 'label-name': 'Work' },
      ],
    }),
    makeContact({
      id: contact.ottoOther,
      'organization-id': org.acme,
      'first-name': 'Otto',
      'last-name': 'Other',
      'contact-type-id': contactType.technical,
      important: false,
      'contact-emails': [{ value: 'otto.other@acme-dental.test', primary: false, 'label-name': 'Work' }],
    }),
    makeContact({
      id: contact.noraNoEmail,
      'organization-id': org.acme,
      'first-name': 'Nora',
      'last-name': 'NoEmail',
      title: 'Hygienist',
      'contact-phones': [phone('4155550104')],
    }),
    makeContact({
      id: contact.alexApprover,
      'organization-id': org.acme,
      'first-name': 'Alex',
      'last-name': 'Approver',
      'contact-type-id': contactType.approver,
      email: 'alex.approver@acme-dental.test',
    }),
    makeContact({
      id: contact.samSmith,
      'organization-id': org.smithJones,
      'first-name': 'Sam',
      'last-name': 'Smith',
      title: 'Partner',
      'contact-type-id': contactType.primary,
      important: true,
      email: 'sam.smith@smithjones.test',
    }),
    makeContact({
      id: contact.joJones,
      'organization-id': org.smithJones,
      'first-name': 'Jo',
      'last-name': 'Jones',
      title: 'Partner',
      'contact-type-id': contactType.primary,
      email: 'jo.jones@smithjones.test',
    }),
    makeContact({
      id: contact.caseyClerk,
      'organization-id': org.smithJones,
      'first-name': 'Casey',
      'last-name': 'Clerk',
      'contact-type-id': contactType.billing,
      email: 'casey.clerk@smithjones.test',
    }),
    makeContact({
      id: contact.blakeBird,
      'organization-id': org.bluebird,
      'first-name': 'Blake',
      'last-name': 'Bird',
      email: 'blake.bird@bluebird-logistics.test',
    }),
    makeContact({
      id: contact.robinWren,
      'organization-id': org.bluebird,
      'first-name': 'Robin',
      'last-name': 'Wren',
      important: false,
      email: 'robin.wren@bluebird-logistics.test',
    }),
    makeContact({
      id: contact.patSmith,
      'organization-id': org.smith,
      'first-name': 'Pat',
      'last-name': 'Smith',
      'contact-type-id': contactType.primary,
      email: 'pat@smith-vendor.test',
    }),
    makeContact({
      id: contact.miaManager,
      'organization-id': org.msp,
      'first-name': 'Mia',
      'last-name': 'Manager',
      important: true,
      email: 'mia.manager@northwind.test',
    }),
  ];

  const signedIn = (hours: number) => ({
    'invitation-sent-at': '2023-01-05T10:00:00.000Z',
    'invitation-accepted-at': '2023-01-05T10:30:00.000Z',
    'current-sign-in-at': ago(hours),
    'last-sign-in-at': ago(hours + 24),
    'current-sign-in-ip': '203.0.113.10',
    'last-sign-in-ip': '203.0.113.10',
  });

  const users = [
    makeUser({
      id: user.admin,
      'first-name': 'Mia',
      'last-name': 'Manager',
      email: 'mia.manager@northwind.test',
      'role-name': 'Administrator',
      reputation: 6543,
      ...signedIn(2),
    }),
    makeUser({
      id: user.tech,
      'first-name': 'Tom',
      'last-name': 'Tech',
      email: 'tom.tech@northwind.test',
      'role-name': 'Manager',
      reputation: 4927,
      ...signedIn(1),
    }),
    makeUser({
      id: user.samPending,
      'first-name': 'Sam',
      'last-name': 'Smith',
      email: 'sam.smith@smithjones.test',
      'invitation-sent-at': ago(1),
      'created-at': ago(1),
      'updated-at': ago(1),
    }),
    makeUser({
      id: user.paulaSignedIn,
      'first-name': 'Paula',
      'last-name': 'Primary',
      email: 'paula.primary@acme-dental.test',
      ...signedIn(30),
    }),
    makeUser({
      id: user.ottoAccepted,
      'first-name': 'Otto',
      'last-name': 'Other',
      email: 'otto.other@acme-dental.test',
      'invitation-sent-at': ago(50),
      'invitation-accepted-at': ago(49),
    }),
    makeUser({
      id: user.alexMyGlue,
      'first-name': 'Alex',
      'last-name': 'Approver',
      email: 'alex.approver@acme-dental.test',
      'role-name': 'Creator',
      'my-glue': true,
      'my-glue-account-id': myGlueAccount.acme,
      ...signedIn(5),
    }),
    makeUser({
      id: user.caseyExpired,
      'first-name': 'Casey',
      'last-name': 'Clerk',
      email: 'casey.clerk@smithjones.test',
      'invitation-sent-at': ago(72),
      'created-at': ago(72),
      'updated-at': ago(72),
    }),
    makeUser({
      id: user.robinMixedCase,
      'first-name': 'Robin',
      'last-name': 'Wren',
      email: 'Robin.Wren@Bluebird-Logistics.test',
      ...signedIn(10),
    }),
    makeUser({
      id: user.readOnly,
      'first-name': 'Rita',
      'last-name': 'Reader',
      email: 'rita.reader@northwind.test',
      'role-name': 'Read-only',
      ...signedIn(100),
    }),
  ];

  const groups = [
    makeGroup({
      id: group.noPasswordAccess,
      name: 'Customer - No Password Access',
      description: 'Customers without access to passwords',
      // Shared by every customer, as MSPs set it up: users of several customers, and no
      // organization access (each user gets their own organization on the user).
      'user-ids': [user.paulaSignedIn, user.ottoAccepted, user.robinMixedCase],
      'organization-ids': [],
    }),
    makeGroup({
      id: group.hasPasswordAccess,
      name: 'Customer - Has Password Access',
      description: 'Customers who may read their passwords',
      'user-ids': [user.samPending, user.caseyExpired],
      'organization-ids': [],
    }),
    makeGroup({
      id: group.acmeMyGlue,
      name: 'Acme Dental - MyGlue Staff',
      'my-glue': true,
      'my-glue-account-id': myGlueAccount.acme,
      'user-ids': [user.alexMyGlue],
      'organization-ids': [org.acme],
    }),
    makeGroup({
      id: group.technicians,
      name: 'Technicians',
      'user-ids': [user.admin, user.tech, user.readOnly],
    }),
  ];

  const flexibleAssetTypes = [
    makeFlexibleAssetType({
      id: flexibleAssetType.siteSummary,
      name: 'Site Summary',
      description: 'Key facts about a customer site',
      icon: 'building',
      fields: [
        makeField({
          id: field.siteName,
          order: 1,
          name: 'Site Name',
          kind: 'Text',
          'name-key': 'site-name',
          'use-for-title': true,
        }),
        makeField({
          id: field.authorizedContacts,
          order: 2,
          name: 'Authorized Contacts',
          kind: 'Tag',
          'tag-type': 'Contacts',
          'name-key': 'authorized-contacts',
          hint: 'Contacts who may approve access and changes',
        }),
        makeField({ id: field.internetProvider, order: 3, name: 'Internet Provider', kind: 'Text', 'name-key': 'internet-provider' }),
        makeField({
          id: field.afterHours,
          order: 4,
          name: 'After Hours Access',
          kind: 'Checkbox',
          'name-key': 'after-hours-access',
          'show-in-list': false,
        }),
        makeField({ id: field.notes, order: 5, name: 'Notes', kind: 'Textbox', 'name-key': 'notes', 'show-in-list': false }),
      ],
    }),
    makeFlexibleAssetType({
      id: flexibleAssetType.email,
      name: 'Email',
      icon: 'envelope',
      fields: [makeField({ id: field.domain, order: 1, name: 'Domain', kind: 'Text', 'name-key': 'domain', 'use-for-title': true })],
    }),
  ];

  const flexibleAssets = [
    makeFlexibleAsset({
      id: flexibleAsset.acmeSite,
      'organization-id': org.acme,
      'flexible-asset-type-id': flexibleAssetType.siteSummary,
      traits: {
        'site-name': 'Acme Dental - Main Office',
        'authorized-contacts': [contact.paulaPrimary, contact.alexApprover],
        'internet-provider': 'Comcast Business',
        'after-hours-access': true,
        notes: 'Alarm code is with the office manager.',
      },
    }),
    makeFlexibleAsset({
      id: flexibleAsset.smithJonesSite,
      'organization-id': org.smithJones,
      'flexible-asset-type-id': flexibleAssetType.siteSummary,
      traits: {
        'site-name': 'Smith, Jones & Co - Head Office',
        'authorized-contacts': [contact.samSmith],
        'internet-provider': 'AT&T Fiber',
        notes: 'Partners approve every new account in writing.',
      },
    }),
    makeFlexibleAsset({
      id: flexibleAsset.bluebirdSite,
      'organization-id': org.bluebird,
      'flexible-asset-type-id': flexibleAssetType.siteSummary,
      traits: {
        'site-name': 'Bluebird Logistics - Warehouse',
        'internet-provider': 'Spectrum',
        'after-hours-access': false,
      },
    }),
    makeFlexibleAsset({
      id: flexibleAsset.acmeEmail,
      'organization-id': org.acme,
      'flexible-asset-type-id': flexibleAssetType.email,
      traits: { domain: 'acme-dental.test' },
    }),
  ];

  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const userMetrics = [
    makeUserMetric({ id: userMetric.paulaPasswords, 'user-id': user.paulaSignedIn, 'organization-id': org.acme, date: day(1), viewed: 3 }),
    makeUserMetric({
      id: userMetric.paulaConfigurations,
      'user-id': user.paulaSignedIn,
      'organization-id': org.acme,
      'resource-type': 'Configurations',
      date: day(2),
      viewed: 5,
      edited: 1,
    }),
    makeUserMetric({ id: userMetric.alexDocuments, 'user-id': user.alexMyGlue, 'organization-id': org.acme, 'resource-type': 'Documents', date: day(0), viewed: 2 }),
  ];

  return { organizations, contacts, contactTypes, users, groups, flexibleAssetTypes, flexibleAssets, userMetrics };
}

/**
 * `count` IT Glue users with ids `start`, `start + 1`, … (default from 100000, clear of the seed),
 * for paging tests. Deterministic; every fourth is a pending Lite invitation, the rest signed-in staff.
 */
export function manyUsers(count: number, start = 100_000): FakeUser[] {
  const base = Date.parse('2022-06-01T00:00:00.000Z');
  const roles = ['Editor', 'Creator', 'Read-only'];
  return Array.from({ length: count }, (_, index) => {
    const n = start + index;
    const created = new Date(base + index * 60_000).toISOString();
    const pending = index % 4 === 3;
    return makeUser({
      id: String(n),
      'first-name': 'User',
      'last-name': String(n),
      email: `user${n}@bulk.example.test`,
      'role-name': pending ? 'Lite' : (roles[index % roles.length] ?? 'Editor'),
      'invitation-sent-at': created,
      'invitation-accepted-at': pending ? null : created,
      'current-sign-in-at': pending ? null : created,
      'created-at': created,
      'updated-at': created,
    });
  });
}
