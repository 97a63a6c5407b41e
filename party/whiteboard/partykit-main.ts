/**
 * PartyKit's "main" party (partykit.json `main`): refuses everything, so
 * `/party/<room>` is not a second namespace beside `/parties/whiteboard/<room>`.
 */
import { NoMainParty } from "edgeroom/partykit";

export default NoMainParty;
