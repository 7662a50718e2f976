/**
 * Every text the window shows, one catalogue per language — Italian first (the
 * manual's words, word for word where the manual has them), then English.
 * Error explanations are keyed by the API's error codes (`error.<CODE>`); the
 * API's own `messages.{it,en}` take precedence when an error carries them.
 * Components never hold a string shown to a person: they ask `t(key)`.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { LocalizedText } from '../../client/types';

export type Lang = 'it' | 'en';

const it = {
  'app.title': 'mOphas Desktop',
  'app.switchLanguage': 'English',
  'app.switchLanguageLabel': 'Show the window in English',
  'app.user': 'Utente {user} · postazione {workstation}',
  'app.nav': 'Finestre',
  'nav.notice': 'Avviso aggiornamenti',
  'nav.mobile': 'Gestione Mobile',
  'common.close': 'Chiudi',
  'common.cancel': 'Annulla',
  'common.ok': 'OK',
  'common.yes': 'Sì',
  'common.no': 'No',
  'common.retry': 'Riprova',
  'common.loading': 'Caricamento in corso…',
  'common.busy': 'Operazione in corso…',
  'common.yesCell': 'Sì',
  'common.noCell': 'No',
  'common.none': '—',
  'common.sessionExpires': 'La sessione di questa finestra scade alle {time}.',

  'access.opening': 'Apertura della finestra in corso…',
  'access.noTicket.title': 'Aprire la finestra da mOphas Desktop',
  'access.noTicket.text': 'Questa finestra si apre da mOphas Desktop, non da un collegamento salvato.',
  'access.ticketInvalid.title': 'Collegamento scaduto o non valido',
  'access.ticketUsed.title': 'Collegamento già usato',
  'access.sessionEnded.title': 'Sessione della finestra terminata',
  'access.sessionEnded.text': 'La sessione di questa finestra è scaduta o non è più valida (ad esempio dopo un cambio di password).',
  'access.reopen':
    'Per riaprire la finestra: in mOphas Desktop, sul computer centrale (SERVER), accedere con un utente amministratore e fare clic di nuovo su Gestione aggiornamento (da riga di comando: mophas-desktop gestione --web).',

  'notice.heading': 'Avviso aggiornamenti',
  'notice.colour.blue': 'Avviso azzurro',
  'notice.colour.yellow': 'Avviso giallo',
  'notice.colour.green': 'Avviso verde',
  'notice.colour.white': 'Avviso bianco',
  'notice.colour.red': 'Avviso rosso',
  'notice.none': "Nessun avviso: mOphas è aggiornato all'ultima versione disponibile.",
  'notice.version': 'Versione {version}',
  'notice.desktopVersion': 'Versione installata di mOphas Desktop: {version}',
  'notice.adminNote':
    "ATTENZIONE! I messaggi di notifica vengono visualizzati su tutti i computer della rete, tuttavia l'aggiornamento va eseguito solamente accedendo a mOphas dal computer centrale (SERVER).",
  'notice.opensNewWindow': '(si apre in una nuova finestra)',

  'window.title': 'Gestione aggiornamento',
  'window.subtitle.available': 'Aggiornamento disponibile',
  'window.subtitle.preparing': 'Aggiornamento disponibile',
  'window.subtitle.updating': 'Aggiornamento in corso',
  'window.subtitle.mobile-update': 'Aggiornamento concluso',
  'window.subtitle.failed': 'Aggiornamento concluso in modo errato',
  'window.subtitle.reactivated': 'Aggiornamento concluso in modo errato',
  'window.subtitle.concluded': 'Aggiornamento concluso',
  'phase.available': 'Nessun aggiornamento in corso',
  'phase.preparing': 'Fase 1 – Inizio aggiornamento',
  'phase.updating': 'Fase 2 – Aggiornamento',
  'phase.mobile-update': 'Fase 3 – Fine aggiornamento',
  'phase.failed': 'Aggiornamento terminato in modo anomalo',
  'phase.reactivated': 'Terminato in modo anomalo – dispositivi riattivati',
  'phase.concluded': 'Aggiornamento concluso',
  'window.status': 'Versione {target} · mOphas Desktop {desktop} · dispositivi {devices} · in attesa {awaiting}',
  'window.statusUpdated': ' · aggiornati {updated}',
  'window.forced': 'Aggiornamento forzato',
  'window.caseFiled': "Segnalazione inviata all'assistenza (caso {caseId}).",
  'window.dataAt': 'Dati aggiornati alle {time}; la griglia si aggiorna ogni 30 secondi.',
  'window.intro.available':
    'Nel pannello viene presentata la lista dei dispositivi mobile (device) in stato Abilitato. Nel caso in cui NON si intenda proseguire con la procedura, e non siano ancora state intraprese le operazioni di aggiornamento, è sufficiente chiudere la finestra con il pulsante Chiudi.',
  'window.intro.preparing':
    'In questa fase le operazioni da eseguire sui dispositivi sono le seguenti: invio messaggio di notifica push START UPDATE, blocco operatività, invio dati non trasmessi. Il comando Avvia aggiornamento risulta attivo quando tutti i dispositivi mobile riportano la spunta su Attesa Aggiornamento.',
  'window.intro.updating':
    "In questa fase viene eseguito l'effettivo aggiornamento del programma: accertarsi che i programmi ONDA e mophas siano chiusi su tutte le postazioni in uso. IMPORTANTE: prima di avviare l'aggiornamento, disattivare momentaneamente il programma antivirus, qualsiasi esso sia. Se compare la dicitura (Non risponde) NON TERMINARE IL PROCESSO e ATTENDERE CHE VENGA PORTATO A TERMINE.",
  'window.intro.mobile-update':
    "Dal codice riportato nella colonna Versione installata è possibile verificare se i dispositivi mobile hanno terminato l'aggiornamento e, se necessario, inviare nuovamente la notifica push di tipo END UPDATE. I dispositivi non in linea con l'ultima versione sono evidenziati di colore rosso.",
  'window.intro.failed':
    "Se l'aggiornamento non è andato a buon fine è possibile riprendere la normale operatività in attesa dell'intervento dell'assistenza; tuttavia non è più possibile tentare nuovamente l'aggiornamento. Tramite il pulsante Attiva tutte le device e invia push inviare a tutti i dispositivi la notifica push ERROR UPDATE; se non fosse possibile inviare la notifica, usare lo Sblocco manuale. Al termine clic su Invia segnalazione all'assistenza.",
  'window.intro.reactivated':
    "Notifica ERROR UPDATE inviata. Per i dispositivi non raggiunti usare lo Sblocco manuale; al termine clic su Invia segnalazione all'assistenza.",
  'window.intro.concluded': 'La procedura di aggiornamento è conclusa.',
  'window.actions': 'Comandi',
  'window.rowActions': 'Comandi sul dispositivo selezionato',
  'window.selected': 'Dispositivo selezionato: {device}',
  'window.noneSelected': 'Nessun dispositivo selezionato: selezionare una riga della griglia.',
  'window.lastNote': 'ultima nota: {note}',

  'btn.sendStart': 'Invia START UPDATE',
  'btn.start': 'Avvia aggiornamento',
  'btn.force': 'Forza aggiornamento',
  'btn.sendEnd': 'Invia END UPDATE',
  'btn.conclude': 'Aggiornamento concluso',
  'btn.reactivate': 'Attiva tutte le device e invia push',
  'btn.closeUpdate': 'Chiudi aggiornamento',
  'btn.report': "Invia segnalazione all'assistenza",
  'btn.refresh': 'Aggiorna elenco',
  'btn.resendRow': 'Invia di nuovo la notifica',
  'btn.lock': 'Blocco manuale',
  'btn.unlock': 'Sblocco manuale',
  'btn.disable': 'Disabilita dispositivo',
  'btn.enable': 'Abilita',
  'btn.unlockDevice': 'SBLOCCO DEVICE',
  'btn.force.confirm': 'Forza',
  'btn.start.confirm': 'Avvia',

  'filter.legend': 'Dispositivi da visualizzare',
  'filter.all': 'Mostra tutti i dispositivi',
  'filter.updated': 'Mostra i dispositivi aggiornati',
  'filter.not-updated': 'Mostra i dispositivi non aggiornati',

  'grid.caption': 'Dispositivi mobile abilitati',
  'grid.select': 'Seleziona',
  'grid.selectRow': 'Seleziona il dispositivo {serial}',
  'grid.serial': 'Seriale',
  'grid.device': 'Device',
  'grid.operator': 'Operatore',
  'grid.phone': 'Telefono',
  'grid.lastSync': 'Ultima Synchro',
  'grid.notificationsEnabled': 'Notifiche abilitate',
  'grid.notificationSent': 'Notifica inviata',
  'grid.blocked': 'Bloccato',
  'grid.awaiting': 'Attesa Aggiornamento',
  'grid.installed': 'Versione installata',
  'grid.notes': 'Note',
  'grid.notUpdated': 'non aggiornato',
  'grid.empty': 'Nessun dispositivo in elenco.',
  'grid.enabled': 'Abilitato',
  'grid.registered': 'Registrato',

  'confirmStart.title': 'Invio notifica START UPDATE',
  'confirmStart.backup':
    'Prima di iniziare la procedura di aggiornamento è necessario assicurarsi di avere a disposizione le copie di salvataggio di tutti i dati contenuti sulla macchina (BACKUP GENERALE MOPHAS, BACKUP MANUALE DB MOPHAS).',
  'confirmStart.text':
    "Ai dispositivi mobile viene inviata la notifica push START UPDATE: l'operatore deve concludere l'operazione in corso, inviare i dati non trasmessi e attendere la fine dell'aggiornamento.",
  'confirmStart.question': "Clic su Sì per proseguire con l'operazione di invio, su No per annullare.",
  'confirmStart.row': 'Inviare di nuovo la notifica {command} al dispositivo {device}?',
  'confirmAvvia.title': 'Avvia aggiornamento',
  'confirmAvvia.text':
    'Tutti i dispositivi mobile riportano la spunta su Attesa Aggiornamento. Clic su Avvia: inizia la fase di aggiornamento automatico della procedura, FASE 2 - Aggiornamento.',
  'force.title': 'Forza aggiornamento',
  'force.text':
    "La procedura permette di avviare l'aggiornamento senza attendere la risposta di tutti i dispositivi: i dispositivi potrebbero essere spenti o non raggiungibili, viene richiesta per questo motivo una duplice autorizzazione.",
  'force.atRisk': 'Dispositivi che NON riportano la spunta su Attesa Aggiornamento:',
  'force.confirmTitle': 'Forza aggiornamento – seconda autorizzazione',
  'force.confirmText': 'Clic su Avvia: inizia la fase di aggiornamento automatico della procedura, FASE 2 - Aggiornamento.',
  'conclude.title': 'Avviso: Fine Aggiornamento',
  'conclude.notUpdated': 'Dispositivi non ancora aggiornati:',
  'conclude.confirmTitle': 'Aggiornamento concluso – conferma',
  'conclude.confirmText':
    'Confermare la conclusione della procedura di aggiornamento? Dopo il clic su OK scomparirà il riquadro colorato e non sarà più possibile accedere alla finestra Gestione Aggiornamento.',
  'conclude.done': 'Aggiornamento concluso: i dispositivi aggiornati riprendono la normale operatività.',
  'closeUpdate.done': 'Aggiornamento chiuso: la versione è stata ritirata da Alturas, i dispositivi riprendono la normale attività.',
  'disable.title': 'Disabilita dispositivo',
  'disable.confirmTitle': 'Disabilita dispositivo – conferma',
  'disable.confirmText': 'Confermare la disabilitazione del dispositivo {device}? Il dispositivo scomparirà dalla griglia.',
  'disable.done': 'Dispositivo {serial} disabilitato.',
  'enable.done': 'Dispositivo {serial} abilitato: la sua registrazione è riaperta (Registra Dispositivo).',

  'summary.title.START_UPDATE': 'Riepilogo notifiche START UPDATE',
  'summary.title.END_UPDATE': 'Riepilogo notifiche END UPDATE',
  'summary.title.ERROR_UPDATE': 'Riepilogo notifiche ERROR UPDATE',
  'summary.counts': 'Inviate {sent} · non riuscite {failed} · già inviate {skipped} · senza token {noToken}',
  'summary.sent': 'inviata',
  'summary.failed': 'non riuscita',
  'summary.skipped': 'già inviata',
  'summary.queued': 'Invio in corso a {devices} dispositivi: gli esiti compariranno nella griglia.',
  'summary.incomplete': "Non tutti i dispositivi sono stati raggiunti in tempo: premere di nuovo il pulsante per completare l'invio.",
  'summary.okHint.START_UPDATE': "L'operatore deve eseguire, prima possibile, l'operazione INVIO DATI NON TRASMESSI.",
  'summary.failHint':
    "Per i dispositivi non raggiunti è necessario contattare l'operatore: a) se mOphas mobile non è ancora stato avviato durante il giorno, chiedergli di avviarlo e inviare nuovamente la notifica dalla riga del dispositivo; b) se il programma risulta avviato e la notifica non viene ricevuta, avviare la procedura di BLOCCO MANUALE.",
  'summary.failHint.ERROR_UPDATE':
    'Per i dispositivi non raggiunti, per ripristinare la normale operatività, utilizzare la procedura di SBLOCCO DEVICE (Sblocco manuale).',
  'summary.device': '{operator} – {serial}',

  'report.title': "Invia segnalazione all'assistenza",
  'report.label': "Messaggio per l'assistenza (facoltativo)",
  'report.send': 'Invia',
  'report.done': "Segnalazione inviata all'assistenza (caso {caseId}).",

  'lock.title.lock': 'Blocco dispositivo mobile',
  'lock.title.unlock': 'Sblocco dispositivo mobile',
  'lock.device': 'Dispositivo {serial} · {operator} · telefono {phone}',
  'lock.step1.lock': "Contattare l'operatore e chiedergli di avviare la finestra Gestione Blocco Device.",
  'lock.step1.unlock': "Contattare l'operatore e chiedergli di avviare la finestra Gestione Blocco\\Sblocco Device.",
  'lock.step2': "Digitare il primo codice comunicato dall'operatore poi clic sul pulsante GENERA.",
  'lock.step3.lock': "Comunicare all'operatore il secondo codice: dopo questo passaggio il dispositivo verrà bloccato.",
  'lock.step3.unlock': "Comunicare all'operatore il secondo codice: dopo questo passaggio il dispositivo verrà sbloccato.",
  'lock.step4': "Digitare il terzo codice comunicato dall'operatore poi clic sul pulsante VERIFICA.",
  'lock.step5': "Chiedere all'operatore di eseguire l'operazione INVIO DATI NON TRASMESSI.",
  'lock.code1': "Primo codice (comunicato dall'operatore)",
  'lock.code2': "Secondo codice (da comunicare all'operatore)",
  'lock.code3': "Terzo codice (comunicato dall'operatore)",
  'lock.generate': 'GENERA',
  'lock.verify': 'VERIFICA',
  'lock.code2Valid': 'Il secondo codice vale fino alle {time}.',
  'lock.done.lock':
    "Dispositivo bloccato: la griglia lo mostra Bloccato. Chiedere all'operatore di eseguire l'operazione INVIO DATI NON TRASMESSI.",
  'lock.done.unlock': 'Dispositivo sbloccato: riprende la normale operatività.',

  'code.group': '{field}, gruppo {n} di 3',
  'code.groupOk': 'gruppo {n} corretto',
  'code.fillAll': 'Digitare i tre gruppi di 5 cifre.',
  'code.attemptsLeft': 'Tentativi rimasti: {n}.',

  'prelim.title': 'Procedura preliminare di aggiornamento',
  'prelim.intro':
    "Questo aggiornamento (versione {version}) richiede un codice di conferma comunicato dal proprio agente di riferimento o dall'assistenza Alturas prima di essere installato.",
  'prelim.challenge': 'Codice da comunicare al referente',
  'prelim.challengeHelp':
    'Il codice è generato contestualmente all’apertura della finestra: una volta comunicato il codice al referente, la finestra non va chiusa, altrimenti sarà necessario comunicare il codice che verrà generato alla nuova apertura.',
  'prelim.response': 'Codice comunicato dal referente',
  'prelim.submit': 'AVVIA AGGIORNAMENTO',
  'prelim.done':
    'Il codice comunicato dal referente è corretto: la procedura di aggiornamento viene avviata normalmente (download del pacchetto di installazione, riquadro giallo). Agli avvii successivi il codice di conferma non verrà più richiesto.',
  'prelim.challengeField': 'Codice da comunicare al referente',

  'mobile.title': 'Gestione Mobile',
  'mobile.subtitle': 'Gestione autorizzazioni tablet',
  'mobile.intro':
    'Da questa finestra è possibile verificare la versione installata sui dispositivi ed eseguire la procedura SBLOCCO DEVICE anche dopo essere usciti dalla finestra Gestione Aggiornamento. Solo un tablet autorizzato e abilitato può registrarsi con il codice di licenza.',
  'mobile.desktopVersion': 'Versione di mOphas Desktop: {version}',
  'mobile.caption': 'Dispositivi mobile del cliente',

  'error.title': 'Operazione non riuscita',
  'error.generic': 'Operazione non riuscita ({code}).',
  'error.conflictRedrawn': 'La finestra mostra ora lo stato attuale.',
  'error.UNREACHABLE':
    'Non è stato possibile contattare i server Alturas: verificare la connessione e riprovare. È possibile proseguire con il lavoro.',
  'error.TIMEOUT': 'I server Alturas non hanno risposto in tempo: riprovare.',
};

export type TextKey = keyof typeof it;

const en: Record<TextKey, string> = {
  'app.title': 'mOphas Desktop',
  'app.switchLanguage': 'Italiano',
  'app.switchLanguageLabel': 'Mostra la finestra in italiano',
  'app.user': 'User {user} · {workstation} workstation',
  'app.nav': 'Windows',
  'nav.notice': 'Update notice',
  'nav.mobile': 'Mobile management',
  'common.close': 'Close',
  'common.cancel': 'Cancel',
  'common.ok': 'OK',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.retry': 'Retry',
  'common.loading': 'Loading…',
  'common.busy': 'Working…',
  'common.yesCell': 'Yes',
  'common.noCell': 'No',
  'common.none': '—',
  'common.sessionExpires': "This window's session expires at {time}.",

  'access.opening': 'Opening the window…',
  'access.noTicket.title': 'Open this window from mOphas Desktop',
  'access.noTicket.text': 'This window opens from mOphas Desktop, not from a saved link.',
  'access.ticketInvalid.title': 'Link expired or not valid',
  'access.ticketUsed.title': 'Link already used',
  'access.sessionEnded.title': "The window's session has ended",
  'access.sessionEnded.text': "This window's session has expired or is no longer valid (for example after a password change).",
  'access.reopen':
    'To open the window again: in mOphas Desktop, on the central computer (SERVER), log in as an administrator and click Manage update again (from the command line: mophas-desktop gestione --web).',

  'notice.heading': 'Update notice',
  'notice.colour.blue': 'Blue notice',
  'notice.colour.yellow': 'Yellow notice',
  'notice.colour.green': 'Green notice',
  'notice.colour.white': 'White notice',
  'notice.colour.red': 'Red notice',
  'notice.none': 'No notice: mOphas runs the latest version available.',
  'notice.version': 'Version {version}',
  'notice.desktopVersion': 'mOphas Desktop installed version: {version}',
  'notice.adminNote':
    'WARNING: notices are shown on every computer of the network, but the update must be run only from mOphas on the central computer (SERVER).',
  'notice.opensNewWindow': '(opens in a new window)',

  'window.title': 'Manage update',
  'window.subtitle.available': 'Update available',
  'window.subtitle.preparing': 'Update available',
  'window.subtitle.updating': 'Update in progress',
  'window.subtitle.mobile-update': 'Update completed',
  'window.subtitle.failed': 'Update ended abnormally',
  'window.subtitle.reactivated': 'Update ended abnormally',
  'window.subtitle.concluded': 'Update concluded',
  'phase.available': 'No update in progress',
  'phase.preparing': 'Phase 1 – Start of the update',
  'phase.updating': 'Phase 2 – Update',
  'phase.mobile-update': 'Phase 3 – End of the update',
  'phase.failed': 'Update ended abnormally',
  'phase.reactivated': 'Ended abnormally – devices reactivated',
  'phase.concluded': 'Update concluded',
  'window.status': 'Version {target} · mOphas Desktop {desktop} · devices {devices} · awaiting {awaiting}',
  'window.statusUpdated': ' · updated {updated}',
  'window.forced': 'Forced update',
  'window.caseFiled': 'Report sent to support (case {caseId}).',
  'window.dataAt': 'Data as of {time}; the grid refreshes every 30 seconds.',
  'window.intro.available':
    'The panel lists the mobile devices that are Enabled. If you do NOT want to go on with the procedure and no update step has been taken yet, just close the window with Close.',
  'window.intro.preparing':
    'In this phase the devices must: receive the START UPDATE push notification, stop working (lock), send their unsent data. Start update becomes available when every mobile device shows Awaiting update.',
  'window.intro.updating':
    'In this phase the program is actually updated: make sure ONDA and mophas are closed on every workstation. IMPORTANT: before starting the update, temporarily disable the antivirus, whichever it is. If "(Not responding)" appears, DO NOT END THE PROCESS and WAIT FOR IT TO FINISH.',
  'window.intro.mobile-update':
    'The Installed version column shows whether the mobile devices have finished updating; if needed, send the END UPDATE push notification again. Devices not on the latest version are highlighted in red.',
  'window.intro.failed':
    'The update did not succeed: normal work can resume while waiting for support, but the update cannot be tried again. With Activate all devices and send push, send the ERROR UPDATE push notification to every device; where it cannot be delivered, use Manual unlock. Then click Send report to support.',
  'window.intro.reactivated': 'ERROR UPDATE sent. For devices it did not reach, use Manual unlock; then click Send report to support.',
  'window.intro.concluded': 'The update procedure is concluded.',
  'window.actions': 'Commands',
  'window.rowActions': 'Commands on the selected device',
  'window.selected': 'Selected device: {device}',
  'window.noneSelected': 'No device selected: select a row of the grid.',
  'window.lastNote': 'last note: {note}',

  'btn.sendStart': 'Send START UPDATE',
  'btn.start': 'Start update',
  'btn.force': 'Force update',
  'btn.sendEnd': 'Send END UPDATE',
  'btn.conclude': 'Update concluded',
  'btn.reactivate': 'Activate all devices and send push',
  'btn.closeUpdate': 'Close update',
  'btn.report': 'Send report to support',
  'btn.refresh': 'Refresh list',
  'btn.resendRow': 'Send the notification again',
  'btn.lock': 'Manual lock',
  'btn.unlock': 'Manual unlock',
  'btn.disable': 'Disable device',
  'btn.enable': 'Enable',
  'btn.unlockDevice': 'UNLOCK DEVICE',
  'btn.force.confirm': 'Force',
  'btn.start.confirm': 'Start',

  'filter.legend': 'Devices to show',
  'filter.all': 'Show all devices',
  'filter.updated': 'Show updated devices',
  'filter.not-updated': 'Show devices not updated',

  'grid.caption': 'Enabled mobile devices',
  'grid.select': 'Select',
  'grid.selectRow': 'Select device {serial}',
  'grid.serial': 'Serial',
  'grid.device': 'Device',
  'grid.operator': 'Operator',
  'grid.phone': 'Phone',
  'grid.lastSync': 'Last sync',
  'grid.notificationsEnabled': 'Notifications enabled',
  'grid.notificationSent': 'Notification sent',
  'grid.blocked': 'Locked',
  'grid.awaiting': 'Awaiting update',
  'grid.installed': 'Installed version',
  'grid.notes': 'Notes',
  'grid.notUpdated': 'not updated',
  'grid.empty': 'No device in the list.',
  'grid.enabled': 'Enabled',
  'grid.registered': 'Registered',

  'confirmStart.title': 'Send the START UPDATE notification',
  'confirmStart.backup':
    'Before starting the update, make sure you have backup copies of all the data on the machine (mOphas full backup, mOphas database manual backup).',
  'confirmStart.text':
    'The mobile devices receive the START UPDATE push notification: operators must finish the operation in progress, send their unsent data and wait for the end of the update.',
  'confirmStart.question': 'Click Yes to send it, No to cancel.',
  'confirmStart.row': 'Send the {command} notification to device {device} again?',
  'confirmAvvia.title': 'Start update',
  'confirmAvvia.text': 'Every mobile device shows Awaiting update. Click Start: the automatic update begins, PHASE 2 - Update.',
  'force.title': 'Force update',
  'force.text':
    'The update can start without waiting for every device (they may be off or unreachable): this is why two authorisations are required.',
  'force.atRisk': 'Devices NOT showing Awaiting update:',
  'force.confirmTitle': 'Force update – second authorisation',
  'force.confirmText': 'Click Start: the automatic update begins, PHASE 2 - Update.',
  'conclude.title': 'Warning: End of the update',
  'conclude.notUpdated': 'Devices not updated yet:',
  'conclude.confirmTitle': 'Update concluded – confirmation',
  'conclude.confirmText':
    'Conclude the update procedure? After OK the coloured box disappears and the Manage update window can no longer be opened.',
  'conclude.done': 'Update concluded: updated devices resume normal work.',
  'closeUpdate.done': 'Update closed: Alturas withdrew the release, the devices resume normal work.',
  'disable.title': 'Disable device',
  'disable.confirmTitle': 'Disable device – confirmation',
  'disable.confirmText': 'Disable device {device}? It will leave the grid.',
  'disable.done': 'Device {serial} disabled.',
  'enable.done': 'Device {serial} enabled: its registration is open again (Register device).',

  'summary.title.START_UPDATE': 'START UPDATE notification summary',
  'summary.title.END_UPDATE': 'END UPDATE notification summary',
  'summary.title.ERROR_UPDATE': 'ERROR UPDATE notification summary',
  'summary.counts': 'Sent {sent} · failed {failed} · already sent {skipped} · no token {noToken}',
  'summary.sent': 'sent',
  'summary.failed': 'failed',
  'summary.skipped': 'already sent',
  'summary.queued': 'Sending to {devices} devices: the outcomes will appear in the grid.',
  'summary.incomplete': 'Not every device was reached in time: press the button again to complete the sending.',
  'summary.okHint.START_UPDATE': 'The operator must run SEND UNSENT DATA as soon as possible.',
  'summary.failHint':
    'For devices not reached, contact the operator: a) if mOphas mobile has not been started today, ask them to start it and send the notification again from the device row; b) if it is running and the notification does not arrive, start the MANUAL LOCK procedure.',
  'summary.failHint.ERROR_UPDATE': 'For devices not reached, restore normal work with the UNLOCK DEVICE procedure (Manual unlock).',
  'summary.device': '{operator} – {serial}',

  'report.title': 'Send report to support',
  'report.label': 'Message for support (optional)',
  'report.send': 'Send',
  'report.done': 'Report sent to support (case {caseId}).',

  'lock.title.lock': 'Lock mobile device',
  'lock.title.unlock': 'Unlock mobile device',
  'lock.device': 'Device {serial} · {operator} · phone {phone}',
  'lock.step1.lock': 'Call the operator and ask them to open the Device lock window.',
  'lock.step1.unlock': 'Call the operator and ask them to open the Device lock/unlock window.',
  'lock.step2': 'Type the first code the operator reads, then click GENERATE.',
  'lock.step3.lock': 'Read the second code to the operator: the device then locks.',
  'lock.step3.unlock': 'Read the second code to the operator: the device then unlocks.',
  'lock.step4': 'Type the third code the operator reads, then click VERIFY.',
  'lock.step5': 'Ask the operator to run SEND UNSENT DATA.',
  'lock.code1': 'First code (read by the operator)',
  'lock.code2': 'Second code (to read to the operator)',
  'lock.code3': 'Third code (read by the operator)',
  'lock.generate': 'GENERATE',
  'lock.verify': 'VERIFY',
  'lock.code2Valid': 'The second code is valid until {time}.',
  'lock.done.lock': 'Device locked: the grid shows it Locked. Ask the operator to run SEND UNSENT DATA.',
  'lock.done.unlock': 'Device unlocked: it resumes normal work.',

  'code.group': '{field}, group {n} of 3',
  'code.groupOk': 'group {n} correct',
  'code.fillAll': 'Type the three groups of 5 digits.',
  'code.attemptsLeft': 'Attempts left: {n}.',

  'prelim.title': 'Preliminary update procedure',
  'prelim.intro': 'This update (version {version}) needs a confirmation code from your agent or Alturas support before it is installed.',
  'prelim.challenge': 'Code to read to your contact',
  'prelim.challengeHelp':
    'The code is generated when the window opens: once you have read it to your contact, do not close the window, or you will have to read the new code generated when it opens again.',
  'prelim.response': 'Code given by your contact',
  'prelim.submit': 'START UPDATE',
  'prelim.done':
    'The code is correct: the update goes ahead normally (the installer downloads, yellow box). The confirmation code will not be asked again.',
  'prelim.challengeField': 'Code to read to your contact',

  'mobile.title': 'Mobile management',
  'mobile.subtitle': 'Tablet authorisation management',
  'mobile.intro':
    'Here you can check the version installed on each device and run UNLOCK DEVICE even after leaving the Manage update window. Only an authorised, enabled tablet can register with the licence code.',
  'mobile.desktopVersion': 'mOphas Desktop version: {version}',
  'mobile.caption': "The customer's mobile devices",

  'error.title': 'The operation did not succeed',
  'error.generic': 'The operation did not succeed ({code}).',
  'error.conflictRedrawn': 'The window now shows the current state.',
  'error.UNREACHABLE': 'The Alturas servers cannot be reached: check the connection and retry. You can keep working.',
  'error.TIMEOUT': 'The Alturas servers did not answer in time: retry.',
};

/** The catalogues, Italian first. */
export const CATALOGUES: Readonly<Record<Lang, Readonly<Record<TextKey, string>>>> = { it, en };

/** A text with its `{name}` placeholders filled in. */
export function translate(lang: Lang, key: TextKey, vars: Record<string, string | number> = {}): string {
  return CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export type Translate = (key: TextKey, vars?: Record<string, string | number>) => string;

export const LangContext = createContext<Lang>('it');

/** The current language and its `t()`. */
export function useT(): { lang: Lang; t: Translate } {
  const lang = useContext(LangContext);
  return { lang, t: (key, vars) => translate(lang, key, vars) };
}

/** Formatters are costly to build (the grid formats a date per row): one per language and style. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, style: 'dateTime' | 'time'): Intl.DateTimeFormat {
  const key = `${lang}:${style}`;
  let f = formatters.get(key);
  if (!f) {
    const locale = lang === 'it' ? 'it-IT' : 'en-GB';
    f = new Intl.DateTimeFormat(
      locale,
      style === 'dateTime' ? { dateStyle: 'short', timeStyle: 'short' } : { hour: '2-digit', minute: '2-digit' },
    );
    formatters.set(key, f);
  }
  return f;
}

/** A date-time for people: local time, day and hour (the grid's Ultima Synchro). */
export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return CATALOGUES[lang]['common.none'];
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatter(lang, 'dateTime').format(date);
}

/** A time of day (hh:mm) in the page's language. */
export function formatTime(lang: Lang, at: Date | string): string {
  return formatter(lang, 'time').format(new Date(at));
}

/** A text the API gives in both languages (warnings, push outcomes): the contract's LocalizedText. */
export type LocalizedMessagesText = Readonly<LocalizedText>;
